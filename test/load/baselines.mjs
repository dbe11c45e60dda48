// Bare baselines for `npm run bench`: the smallest Fastify servers doing the same data work as the
// API's catalogue listing, without any of the API's layers.
//   node baselines.mjs redis PORT   — GET /listing returns a stored listing JSON from Redis
//   node baselines.mjs pg PORT      — GET /listing?minPrice=N runs the listing SQL through pg
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const [mode, port] = process.argv.slice(2);
const app = Fastify({ logger: false });

if (mode === 'redis') {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  app.get('/listing', async (_req, reply) => {
    const body = await redis.get('bench:baseline:listing');
    return reply.type('application/json').send(body);
  });
} else {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const where = `p.status = 'active' AND p.price_to >= $1`;
  app.get('/listing', async (req) => {
    const min = Number(req.query.minPrice ?? 0);
    const [page, count, facets] = await Promise.all([
      pool.query(
        `SELECT p.id, p.slug, p.name, p.brand, c.slug AS category_slug, p.price_from, p.price_to, p.currency, p.in_stock,
                i.url AS image_url, i.alt AS image_alt, p.published_at::text AS sort_key
           FROM product p JOIN category c ON c.id = p.category_id
           LEFT JOIN product_image i ON i.product_id = p.id AND i.position = 0
          WHERE ${where} ORDER BY p.published_at DESC, p.id DESC LIMIT 25`,
        [min],
      ),
      pool.query(`SELECT count(*)::int AS total FROM product p WHERE ${where}`, [min]),
      pool.query(
        `SELECT f.key, v.value, count(*)::int AS count FROM product p
           CROSS JOIN LATERAL jsonb_each(p.facets) AS f(key, vals)
           CROSS JOIN LATERAL jsonb_array_elements_text(f.vals) AS v(value)
          WHERE ${where} GROUP BY f.key, v.value ORDER BY f.key, count DESC, v.value`,
        [min],
      ),
    ]);
    return { items: page.rows.slice(0, 24), total: count.rows[0].total, facets: facets.rows };
  });
}
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.send?.('ready');
