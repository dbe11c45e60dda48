// The storefront's production HTTP server: `node apps/web/server.mjs`.
//
// - Server-side renders every page with the React Router build (build/server/index.js); the CSP
//   nonce and the security headers of HTML are set in app/entry.server.tsx, nowhere else.
// - Serves the client build (build/client): fingerprinted /assets/* are immutable for a year;
//   scripts, styles and SVG compressed (brotli or gzip, once per file, kept in memory). Pages
//   are compressed by app/entry.server.tsx, public ones only (app/lib/compression.server.ts).
// - GET /healthz for the container health check.
// - Outside production, proxies /api/* to API_URL so the browser sees one origin (in production
//   CloudFront routes /api/* to the API). Set API_PROXY=on|off to override.
// - Refuses (403) any state-changing page request (a form post to a route action) that the
//   browser marks cross-site (Sec-Fetch-Site) or whose Origin is not one of PUBLIC_ORIGINS, before
//   any action runs: the first CSRF line of the web app (the API checks the forwarded headers and
//   the session's token again).
// Configuration: HOST (127.0.0.1), PORT (3000), API_URL (http://127.0.0.1:3333), PUBLIC_ORIGINS
// (the shop's own origins, comma-separated; required in production), NODE_ENV.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { createRequestListener } from '@react-router/node';

const here = fileURLToPath(new URL('.', import.meta.url));
const clientDir = join(here, 'build', 'client');
const build = await import(new URL('./build/server/index.js', import.meta.url).href);
/** @type {Record<string, string>} */
const baseHeaders = build.entry.module.BASE_SECURITY_HEADERS;
/** @type {(acceptEncoding: string | undefined) => 'br' | 'gzip' | undefined} */
const negotiateEncoding = build.entry.module.negotiateEncoding;

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);
const apiUrl = new URL(process.env.API_URL ?? 'http://127.0.0.1:3333');
if (!/^https?:$/.test(apiUrl.protocol)) throw new Error('API_URL must be an http(s) URL');
process.env.API_URL = apiUrl.origin;
const production = process.env.NODE_ENV === 'production';
const proxyApi = process.env.API_PROXY ? process.env.API_PROXY === 'on' : !production;
if (production && !process.env.PUBLIC_ORIGINS) {
  throw new Error("PUBLIC_ORIGINS is required in production (the shop's own https origin)");
}
/** The origins a page form may be posted from (the shop's own). */
const publicOrigins = new Set(
  (process.env.PUBLIC_ORIGINS ?? `http://127.0.0.1:${port},http://localhost:${port}`)
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== ''),
);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when a state-changing request comes from another site (CSRF), by the browser's own word. */
function crossSite(req) {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return false;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  return typeof origin === 'string' && !publicOrigins.has(origin);
}

const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};
/** Build files worth compressing (images other than SVG and fonts are compressed already). */
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.txt']);
const ENCODERS = {
  br: (data) =>
    promisify(brotliCompress)(data, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  gzip: (data) => promisify(gzip)(data, { level: 9 }),
};
/**
 * Compressed build files, made on first request: the client build is fixed for the life of the
 * process and small (under 1 MB), so the map is bounded by it.
 * @type {Map<string, Promise<Buffer>>}
 */
const compressed = new Map();

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const renderPage = createRequestListener({
  build,
  mode: production ? 'production' : (process.env.NODE_ENV ?? 'production'),
});

/** Plain-text answer with the base security headers (health, static errors, proxy errors). */
function plain(res, status, body, extra = {}) {
  res.writeHead(status, {
    ...baseHeaders,
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

/** A file of the client build, or false when the path is not one (then React Router answers). */
async function serveStatic(req, res, pathname) {
  if (pathname === '/' || pathname.includes('\0')) return false;
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  const file = normalize(join(clientDir, decoded));
  if (!file.startsWith(clientDir + sep) || file.includes(`${sep}.vite${sep}`)) return false;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return false;
  const immutable = pathname.startsWith('/assets/');
  const headers = {
    ...baseHeaders,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
  };
  const compressible = COMPRESSIBLE.has(extname(file));
  const encoding = compressible ? negotiateEncoding(req.headers['accept-encoding']) : undefined;
  if (compressible) headers['Vary'] = 'Accept-Encoding';
  if (encoding) {
    const key = `${encoding} ${file}`;
    let body = compressed.get(key);
    if (!body) {
      body = readFile(file).then((data) => ENCODERS[encoding](data));
      compressed.set(key, body);
      body.catch(() => compressed.delete(key));
    }
    const data = await body;
    res.writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': data.length });
    res.end(req.method === 'HEAD' ? undefined : data);
    return true;
  }
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}

/** Streams /api/* to the API unchanged (minus hop-by-hop headers): one origin for the browser. */
function proxy(req, res) {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  }
  const send = apiUrl.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(
    {
      protocol: apiUrl.protocol,
      hostname: apiUrl.hostname,
      port: apiUrl.port,
      method: req.method,
      path: req.url,
      headers,
      timeout: 30_000,
    },
    (answer) => {
      const out = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('API timeout')));
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, {
        ...baseHeaders,
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end('{"error":{"code":"BAD_GATEWAY","message":"The API is unavailable."}}');
    } else res.destroy();
  });
  req.pipe(upstream);
}

const server = createServer((req, res) => {
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  if (pathname === '/healthz') return plain(res, 200, 'ok');
  if (pathname === '/api' || pathname.startsWith('/api/')) {
    if (proxyApi) return proxy(req, res);
    return plain(res, 404, 'Not found');
  }
  delete req.headers['x-storefront-origin'];
  if (crossSite(req)) return plain(res, 403, 'Cross-site request refused');
  // `x-storefront-origin` carries a form post's verified origin from this gate to the route
  // actions, which forward it to the API as `Origin` (app/lib/api-session.server.ts); a client-sent
  // one is always dropped. React Router's own origin check compares `Origin` with the URL this
  // server sees (`http://` behind the TLS-terminating load balancer), which never matches the
  // shop's https origin: this stricter gate replaces it.
  if (!SAFE_METHODS.has(req.method ?? 'GET') && typeof req.headers.origin === 'string') {
    req.headers['x-storefront-origin'] = req.headers.origin;
    delete req.headers.origin;
  }
  const get = req.method === 'GET' || req.method === 'HEAD';
  (get ? serveStatic(req, res, pathname) : Promise.resolve(false))
    .then((served) => (served ? undefined : renderPage(req, res)))
    .catch((error) => {
      console.error(
        JSON.stringify({ level: 'error', msg: 'request failed', error: String(error) }),
      );
      if (!res.headersSent) plain(res, 500, 'Internal error');
      else res.destroy();
    });
});
server.headersTimeout = 20_000;
server.requestTimeout = 30_000;

server.listen(port, host, () => {
  const address = server.address();
  console.log(
    JSON.stringify({
      level: 'info',
      msg: 'web listening',
      host,
      port: typeof address === 'object' && address ? address.port : port,
      apiUrl: apiUrl.origin,
      proxyApi,
    }),
  );
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
    server.closeIdleConnections();
  });
}
