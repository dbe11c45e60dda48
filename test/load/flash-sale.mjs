// `npm run bench:flash-sale`: N guest buyers race for S units of one product, end to end through
// the real API (cart, then checkout: stock reservation in PostgreSQL, order, payment intent from
// the development provider). Prints checkouts/s, p50/p99 of the checkout request, the orders that
// succeeded (must equal S) and the units oversold (must be 0). Real PostgreSQL and Redis.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { machine, seededDatabase, startApi } from './bench-support.mjs';

const BUYERS = Number(process.env.BENCH_BUYERS ?? 500);
const UNITS = Number(process.env.BENCH_UNITS ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 50);

// Payments through the development provider; limits lifted to measure the checkout path itself.
const { databaseUrl: DATABASE_URL, env: apiEnv } = await seededDatabase('storefront_bench_flash', 3415, {
  RATE_LIMIT_CHECKOUT: '999999/1',
});

const db = new pg.Client({ connectionString: DATABASE_URL });
await db.connect();
const { rows: picked } = await db.query(
  `SELECT v.id, v.product_id FROM product_variant v JOIN product p ON p.id = v.product_id
    WHERE v.status = 'active' AND p.status = 'active' ORDER BY v.sku LIMIT 1`,
);
const variantId = picked[0].id;
await db.query('UPDATE product_variant SET stock = $2 WHERE id = $1', [variantId, UNITS]);
await db.query('UPDATE product SET in_stock = true WHERE id = $1', [picked[0].product_id]);

const { api, base } = await startApi(apiEnv);

/** One guest: a session from the first cart change, then checkout with its CSRF token. */
async function buy() {
  const headers = { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };
  const add = await fetch(`${base}/api/cart/lines`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ variantId, quantity: 1 }),
  });
  const cookie = /__Host-sid=([^;]+)/.exec(add.headers.get('set-cookie') ?? '')?.[1];
  const cart = await add.json();
  if (add.status >= 300 || !cookie) return { stage: 'cart', status: add.status, ms: 0 };
  const started = performance.now();
  const checkout = await fetch(`${base}/api/checkout`, {
    method: 'POST',
    headers: { ...headers, cookie: `__Host-sid=${cookie}`, 'x-csrf-token': cart.csrfToken },
    body: JSON.stringify({
      checkoutKey: randomUUID(),
      shippingMethod: 'standard',
      email: `buyer-${randomBytes(4).toString('hex')}@example.test`,
      shippingAddress: {
        fullName: 'Flash Buyer',
        line1: '1 rue de la Paix',
        postalCode: '75002',
        city: 'Paris',
        country: 'FR',
      },
    }),
  });
  const answer = await checkout.text();
  if (process.env.BENCH_DEBUG && checkout.status >= 300) console.error(checkout.status, answer);
  return { stage: 'checkout', status: checkout.status, ms: performance.now() - started };
}

const results = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < BUYERS) {
      next++;
      results.push(await buy());
    }
  }),
);
const seconds = (performance.now() - started) / 1000;

const { rows: stockRows } = await db.query('SELECT stock FROM product_variant WHERE id = $1', [variantId]);
const { rows: soldRows } = await db.query(
  `SELECT coalesce(sum(l.quantity), 0)::int AS sold, count(DISTINCT o.id)::int AS orders
     FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.variant_id = $1 AND o.status <> 'cancelled'`,
  [variantId],
);
await db.end();
api.kill('SIGTERM');

const checkouts = results.filter((r) => r.stage === 'checkout');
const latencies = checkouts.map((r) => r.ms).sort((a, b) => a - b);
const pct = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]) : 0);
const byStatus = {};
for (const r of results) byStatus[`${r.stage} ${r.status}`] = (byStatus[`${r.stage} ${r.status}`] ?? 0) + 1;
const succeeded = checkouts.filter((r) => r.status >= 200 && r.status < 300).length;
const sold = soldRows[0].sold;
console.log(`\n${machine()}`);
console.log(`${BUYERS} buyers (${CONCURRENCY} at a time) for ${UNITS} units, ${seconds.toFixed(1)} s\n`);
console.log('| checkouts/s | p50 ms | p99 ms | successful orders | units sold | stock left | oversold |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
console.log(
  `| ${Math.round(checkouts.length / seconds)} | ${pct(50)} | ${pct(99)} | ${succeeded} | ${sold} | ${stockRows[0].stock} | ${Math.max(0, sold - UNITS)} |`,
);
console.log('\nanswers:', JSON.stringify(byStatus));
const ok = succeeded === UNITS && sold === UNITS && stockRows[0].stock === 0;
console.log(ok ? '\nOK: exactly the units that existed were sold, none oversold' : '\nFAILED: see above');
process.exit(ok ? 0 : 1);
