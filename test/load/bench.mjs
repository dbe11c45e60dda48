// `npm run bench`: throughput and latency of the catalogue API on this machine, next to two bare
// baselines, against the real PostgreSQL and Redis on 127.0.0.1. Bounded: each scenario runs
// BENCH_SECONDS (default 10) with BENCH_CONNECTIONS (default 50) connections.
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ADMIN = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'storefront_bench';
const dbUrl = new URL(ADMIN);
dbUrl.pathname = `/${DB}`;
const DATABASE_URL = dbUrl.toString();
const API_PORT = 3411;
const root = new URL('../../', import.meta.url).pathname;

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
await admin.end();

// NODE_ENV=development, honestly labelled (docs/PERFORMANCE.md, method): production would refuse
// to start without AWS KMS, SMTP and https origins. NODE_ENV only changes the start-up checks and
// whether /api/docs is served; the stores below are the real PostgreSQL and Redis, and the mail
// worker is off as in the production API tasks (they only enqueue; a worker service sends).
const apiEnv = {
  ...process.env,
  NODE_ENV: 'development',
  MAIL_WORKER: 'off',
  DATABASE_URL,
  REDIS_URL,
  REDIS_KEY_PREFIX: `bench:${Date.now()}:`,
  HOST: '127.0.0.1',
  PORT: String(API_PORT),
  LOG_LEVEL: 'warn',
  DATABASE_POOL_SIZE: '10',
  RATE_LIMIT_DEFAULT: '999999/1',
  RATE_LIMIT_SEARCH: '999999/1',
};
console.log('seeding the full demo catalogue…');
execFileSync('node', [`${root}apps/api/dist/cli.js`, 'seed'], { env: apiEnv, stdio: ['ignore', 'ignore', 'inherit'] });

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
}
async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not up: ${url}`);
}
function run(name, url, pid, makePath) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const options = { url, connections: CONNECTIONS, duration: SECONDS };
    if (makePath) options.requests = [{ setupRequest: (req) => ({ ...req, path: makePath(n++) }) }];
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      const non2xx = result.non2xx + result.errors;
      resolve({ name, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, rss: rssMiB(pid), non2xx });
    });
  });
}

const api = spawn('node', [`${root}apps/api/dist/main.js`], { env: apiEnv, stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${API_PORT}`;
await waitFor(`${base}/api/health/ready`);
const listing = await (await fetch(`${base}/api/products`)).text();
const slugs = JSON.parse(listing).items.map((p) => p.slug);
const words = ['wool', 'linen shirt', 'cotton', 'boots', 'lamp', 'yoga mat', 'travel guide', 'headphones'];

const results = [];
results.push(await run('API listing, cached', `${base}/api/products`, api.pid));
results.push(await run('API listing, uncached', base, api.pid, (i) => `/api/products?minPrice=${i % 1_000_000}`));
results.push(await run('API product detail, cached', base, api.pid, (i) => `/api/products/${slugs[i % slugs.length]}`));
results.push(await run('API search, uncached', base, api.pid, (i) => `/api/products?q=${encodeURIComponent(words[i % words.length])}&minPrice=${i % 1_000_000}`));
api.kill('SIGTERM');

const redis = new Redis(REDIS_URL);
await redis.set('bench:baseline:listing', listing);
await redis.quit();
for (const [mode, port] of [['redis', 3412], ['pg', 3413]]) {
  const child = fork(new URL('./baselines.mjs', import.meta.url).pathname, [mode, String(port)], { env: { ...process.env, DATABASE_URL, REDIS_URL }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise((resolve) => child.once('message', resolve));
  results.push(
    mode === 'redis'
      ? await run('bare Fastify + Redis GET', `http://127.0.0.1:${port}/listing`, child.pid)
      : await run('bare Fastify + pg (same SQL)', `http://127.0.0.1:${port}`, child.pid, (i) => `/listing?minPrice=${i % 1_000_000}`),
  );
  child.kill('SIGTERM');
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`\n${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${CONNECTIONS} connections, ${SECONDS} s each\n`);
console.log('| scenario | req/s | p50 ms | p99 ms | RSS MiB | non-2xx |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.rss} | ${r.non2xx} |`);
const by = Object.fromEntries(results.map((r) => [r.name, r.rps]));
const pct = (a, b) => `${Math.round((100 * by[a]) / by[b])} %`;
console.log(`\ncached listing / bare Redis: ${pct('API listing, cached', 'bare Fastify + Redis GET')} (target ≥ 50 %)`);
console.log(`uncached listing / bare pg: ${pct('API listing, uncached', 'bare Fastify + pg (same SQL)')} (target ≥ 60 %)`);
console.log(`search / bare pg: ${pct('API search, uncached', 'bare Fastify + pg (same SQL)')} (target ≥ 60 %)`);
process.exit(0);
