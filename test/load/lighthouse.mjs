// npm run bench:web — Lighthouse (mobile profile: Moto G Power-class screen, simulated slow 4G and
// 4× CPU slowdown) on the storefront's public pages, served by the whole shop on real parts
// (test/support/full-stack.mjs: a fresh seeded database, the built API, the built web server in
// production mode). Prints, per page, the four category scores, LCP, TBT and CLS (median of
// LIGHTHOUSE_RUNS runs, default 3, by performance score) and the JavaScript the page loads
// (transfer and decoded bytes, from Lighthouse's network records). A benchmark, not a test: it
// fails on nothing. It builds nothing: run `npm run build` first.
//
//   npm run build && npm run bench:web        # figures go to docs/PERFORMANCE.md by hand
//
// Full reports (JSON) are written to tmp/lighthouse/ for a closer look.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startFullStack } from '../support/full-stack.mjs';
import { machine } from './bench-support.mjs';

const root = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
// As the browser tests run Debian's Chromium (test/browser/playwright.config.ts).
const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const { version: lighthouseVersion } = JSON.parse(
  readFileSync(`${root}node_modules/lighthouse/package.json`, 'utf8'),
);
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

for (const built of ['apps/api/dist/main.js', 'apps/web/build/server/index.js']) {
  if (!existsSync(`${root}${built}`)) {
    console.error(
      `${built} is missing: run \`npm run build\` first (this benchmark builds nothing).`,
    );
    process.exit(1);
  }
}

/** The page's scripts as Lighthouse recorded them: count, bytes on the wire and decoded. */
function scriptBytes(lhr) {
  const items = lhr.audits['network-requests']?.details?.items ?? [];
  const scripts = items.filter((item) => item.resourceType === 'Script');
  return {
    count: scripts.length,
    transfer: scripts.reduce((sum, item) => sum + (item.transferSize ?? 0), 0),
    decoded: scripts.reduce((sum, item) => sum + (item.resourceSize ?? 0), 0),
  };
}

/** The figures of one run. */
function figures(lhr) {
  const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const audit = (id) => lhr.audits[id]?.numericValue ?? NaN;
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    seo: score('seo'),
    lcpMs: audit('largest-contentful-paint'),
    tbtMs: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    fcpMs: audit('first-contentful-paint'),
    js: scriptBytes(lhr),
    benchmarkIndex: lhr.environment?.benchmarkIndex,
    // What cost points: every scored audit of a category below 1, worst first.
    lost: Object.values(lhr.categories)
      .flatMap((category) =>
        category.auditRefs
          .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
          .map((ref) => `${category.id}:${ref.id}=${String(lhr.audits[ref.id]?.score)}`),
      )
      .sort(),
  };
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

const stack = await startFullStack({ name: 'web_bench_lighthouse' });
const chrome = await chromeLauncher.launch({ chromePath: CHROME_PATH, chromeFlags: CHROME_FLAGS });
const results = [];
try {
  const api = async (path) => {
    const response = await fetch(`${stack.apiUrl}${path}`);
    if (!response.ok) throw new Error(`${path}: ${String(response.status)}`);
    return response.json();
  };
  // A department with products, and its first product (as a visitor reaches them).
  const tree = await api('/api/categories');
  const category = tree.items[0];
  const list = await api(`/api/products?category=${encodeURIComponent(category.slug)}&limit=1`);
  const product = list.items[0];
  const pages = [
    ['home', '/en'],
    ['category', `/en/c/${category.slug}`],
    ['product', `/en/p/${product.slug}`],
    ['search', `/en/search?q=${encodeURIComponent(product.name.split(/\s+/)[0])}`],
  ];
  mkdirSync(`${root}tmp/lighthouse`, { recursive: true });
  for (const [name, path] of pages) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await lighthouse(`${stack.webUrl}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: CATEGORIES,
      });
      if (!result) throw new Error(`no Lighthouse result for ${path}`);
      if (result.lhr.runtimeError) throw new Error(`${path}: ${result.lhr.runtimeError.message}`);
      writeFileSync(`${root}tmp/lighthouse/${name}-${String(i + 1)}.json`, result.report);
      runs.push(figures(result.lhr));
    }
    runs.sort((a, b) => a.performance - b.performance);
    const median = runs[Math.floor(runs.length / 2)];
    results.push({ name, path, median, performanceScores: runs.map((r) => r.performance) });
    console.log(
      `${name.padEnd(9)} perf ${String(median.performance)} (runs ${runs.map((r) => r.performance).join('/')}) ` +
        `a11y ${String(median.accessibility)} bp ${String(median.bestPractices)} seo ${String(median.seo)} ` +
        `LCP ${(median.lcpMs / 1000).toFixed(2)} s TBT ${Math.round(median.tbtMs)} ms CLS ${median.cls.toFixed(3)} ` +
        `JS ${String(median.js.count)} files ${kB(median.js.transfer)} transferred / ${kB(median.js.decoded)} decoded`,
    );
    if (median.lost.length > 0) console.log(`          lost points: ${median.lost.join(', ')}`);
  }
} finally {
  await chrome.kill();
  await stack.stop();
}

const chromeVersion = execFileSync(CHROME_PATH, ['--version'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
})
  .split(' built')[0]
  .trim();
console.log(
  `\n${machine()}, ${chromeVersion}, Lighthouse ${lighthouseVersion} mobile profile, median of ${String(RUNS)} runs`,
);
console.log(`benchmark index ${String(results[0]?.median.benchmarkIndex ?? 'n/a')}`);
console.log(
  '\n| page | performance | accessibility | best practices | SEO | LCP | TBT | CLS | JS (transfer / decoded) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const { name, median: m } of results) {
  console.log(
    `| ${name} | ${String(m.performance)} | ${String(m.accessibility)} | ${String(m.bestPractices)} | ${String(m.seo)} | ` +
      `${(m.lcpMs / 1000).toFixed(2)} s | ${String(Math.round(m.tbtMs))} ms | ${m.cls.toFixed(3)} | ` +
      `${kB(m.js.transfer)} / ${kB(m.js.decoded)} |`,
  );
}
