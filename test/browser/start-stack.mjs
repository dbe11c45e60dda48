// Starts what the browser tests drive: a small catalogue API answering with the responses recorded
// in apps/web/test/fixtures (the SSR tests check them against the zod contracts) plus one listed
// product whose page is gone, and the built
// web server (apps/web/server.mjs) pointing at it, on WEB_PORT (default 4317). The web server
// proxies /api/* to it (as outside production) for the one call the browser makes itself: the
// header's account link asks GET /api/auth/session, answered as for an anonymous visitor.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const fixture = (name) =>
  readFileSync(new URL(`../../apps/web/test/fixtures/${name}.json`, import.meta.url), 'utf8');
const categories = fixture('categories');
// One listed product has been withdrawn since the listing was cached: its page is a 404.
const list = JSON.parse(fixture('product-list'));
list.items.push({
  ...list.items[0],
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'withdrawn-product',
  name: 'Withdrawn product',
});
const productList = JSON.stringify(list);
const product = fixture('product');
const productSlug = JSON.parse(product).slug;
// A visitor without a session, as the API answers it (SessionStateSchema in libs/contracts).
const anonymousSession = JSON.stringify({
  authenticated: false,
  status: null,
  kind: null,
  csrfToken: null,
});

const api = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://api');
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };
  if (pathname === '/api/categories') send(200, categories);
  else if (pathname === '/api/products') send(200, productList);
  else if (pathname === `/api/products/${productSlug}`) send(200, product);
  else if (pathname === '/api/auth/session' && req.method === 'GET') send(200, anonymousSession);
  else send(404, '{"error":{"code":"PRODUCT_NOT_FOUND","message":"Not found.","requestId":"x"}}');
});
await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));

process.env.API_URL = `http://127.0.0.1:${api.address().port}`;
process.env.HOST = '127.0.0.1';
process.env.PORT = process.env.WEB_PORT ?? '4317';
process.env.NODE_ENV = 'production';
process.env.API_PROXY = 'on';
process.env.PUBLIC_ORIGINS = `http://127.0.0.1:${process.env.PORT},http://localhost:${process.env.PORT}`;
await import('../../apps/web/server.mjs');
