// Bare baselines for `npm run bench`: the smallest Fastify servers doing the same data work as the
// API's catalogue reads, without any of the API's layers.
//   node baselines.mjs redis PORT — GET /listing returns a stored listing JSON from Redis
//   node baselines.mjs pg PORT    — the listing SQL the API runs (ProductListingRepository), by hand:
//     GET /category?category=&sort=&limit=&inStock=  page + precomputed counts (product_facet_count)
//     GET /price?minPrice=N                           page (shape chosen by price band) + price-band counts
//     GET /search?q=&minPrice=N                       relevance page + single-scan aggregation
// Like the API, each distinct SQL text runs as a named prepared statement.
// Keep these queries in step with apps/api/src/catalogue/product-listing.repository.ts.
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
  const pg_ = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const names = new Map();
  const pool = {
    query(text, values) {
      if (!names.has(text)) names.set(text, `baseline_${names.size}`);
      return pg_.query({ name: names.get(text), text, values });
    },
  };
  const subtree = (param) =>
    `SELECT d.id FROM category c JOIN category d ON starts_with(d.path, c.path) WHERE c.slug = ${param}`;
  const rank = (param) =>
    `round(ts_rank_cd(p.search_vector, websearch_to_tsquery('english', ${param}))::numeric, 6)`;
  const SORTS = {
    newest: { key: 'p.published_at', out: 'p.published_at::text', dir: 'DESC' },
    price_asc: { key: 'p.price_from', out: 'p.price_from', dir: 'ASC' },
    price_desc: { key: 'p.price_from', out: 'p.price_from', dir: 'DESC' },
    name_asc: { key: 'p.name', out: 'p.name', dir: 'ASC' },
  };
  const page = (where, key, out, dir, limitParam) =>
    `SELECT p.id, p.slug, p.name, p.brand, c.slug AS category_slug, p.price_from, p.price_to, p.currency, ` +
    `p.in_stock, i.url AS image_url, i.alt AS image_alt, ${out} AS sort_key ` +
    `FROM product p JOIN category c ON c.id = p.category_id ` +
    `LEFT JOIN product_image i ON i.product_id = p.id AND i.position = 0 ` +
    `WHERE ${where} ORDER BY ${key} ${dir}, p.id ${dir} LIMIT ${limitParam}`;
  const aggregated = (where) =>
    `WITH m AS MATERIALIZED (SELECT p.facet_tokens AS tokens FROM product p WHERE ${where}) ` +
    `SELECT '' AS token, count(*)::int AS count FROM m UNION ALL SELECT t.token, count(*)::int AS count ` +
    `FROM m CROSS JOIN LATERAL unnest(m.tokens) AS t(token) GROUP BY t.token`;
  const answer = (rows, summary, limit) => ({
    items: rows.slice(0, limit),
    total: summary.find((r) => r.token === '')?.count ?? 0,
    facets: summary.filter((r) => r.token !== ''),
  });

  app.get('/category', async (req) => {
    const { category, sort = 'newest', inStock } = req.query;
    const limit = Number(req.query.limit ?? 24);
    const spec = SORTS[sort];
    const pageParams = [];
    const pageWhere = [`p.status = 'active'`];
    const countParams = [];
    const countWhere = ['s.product_count > 0'];
    if (category !== undefined) {
      pageParams.push(category);
      pageWhere.push(`p.category_id IN (${subtree(`$${pageParams.length}`)})`);
      countParams.push(category);
      countWhere.push(`s.category_id IN (${subtree(`$${countParams.length}`)})`);
    }
    if (inStock !== undefined) {
      pageWhere.push(inStock === 'true' ? 'p.in_stock' : 'NOT p.in_stock');
      countParams.push(inStock === 'true');
      countWhere.push(`s.in_stock = $${countParams.length}`);
    }
    pageParams.push(limit + 1);
    const [rows, summary] = await Promise.all([
      pool.query(page(pageWhere.join(' AND '), spec.key, spec.out, spec.dir, `(SELECT $${pageParams.length}::int)`), pageParams),
      pool.query(
        `SELECT s.token, sum(s.product_count)::int AS count FROM product_facet_count s ` +
          `WHERE ${countWhere.join(' AND ')} GROUP BY s.token`,
        countParams,
      ),
    ]);
    return answer(rows.rows, summary.rows, limit);
  });

  // The price-band totals that choose a price-bounded page's shape, as the API reads them
  // (price-shape.ts): walk the sort's index, or read the price range when it keeps few products.
  const bands = (
    await pg_.query(
      `SELECT b.lower, coalesce(sum(s.product_count) FILTER (WHERE s.side = 'to'), 0)::int AS to_at_least, ` +
        `coalesce(sum(s.product_count) FILTER (WHERE s.side = 'from'), 0)::int AS from_at_least ` +
        `FROM price_band b LEFT JOIN product_price_band_count s ON s.band = b.band AND s.token = '' ` +
        `GROUP BY b.band, b.lower ORDER BY b.lower`,
    )
  ).rows;
  const minPriceShape = (min, pageRows) => {
    const band = bands.findLast((b) => b.lower <= min);
    const matches = band?.to_at_least ?? 0;
    return 8 * matches * matches < pageRows * (bands[0]?.from_at_least ?? 0) ? 'range' : 'walk';
  };

  app.get('/price', async (req) => {
    const min = Number(req.query.minPrice ?? 0);
    const walk = minPriceShape(min, 25) === 'walk';
    const where = walk
      ? `p.status = 'active' AND p.price_to >= (SELECT $1::int)`
      : `p.status = 'active' AND p.price_to >= $1 AND p.price_to <= 2147483647`;
    const newest = SORTS.newest;
    // The price-band summary (product_price_band_count) plus the products near the bound.
    const banded =
      `SELECT x.token, sum(x.n)::int AS count FROM (` +
      `SELECT s.token, s.product_count AS n FROM product_price_band_count s ` +
      `WHERE s.side = 'to' AND s.product_count > 0 AND s.band = (SELECT min(band) FROM price_band WHERE lower > $1) ` +
      `UNION ALL SELECT t.token, 1 AS n FROM product p ` +
      `CROSS JOIN LATERAL unnest(p.facet_tokens || ''::text) AS t(token) ` +
      `WHERE p.status = 'active' AND p.price_to >= $1 AND p.price_to < coalesce((SELECT min(lower) FROM price_band WHERE lower > $1), 2147483647)` +
      `) AS x GROUP BY x.token HAVING sum(x.n) > 0`;
    const [rows, summary] = await Promise.all([
      pool.query(page(where, newest.key, newest.out, newest.dir, '(SELECT $2::int)'), [min, 25]),
      pool.query(banded, [min]),
    ]);
    return answer(rows.rows, summary.rows, 24);
  });

  app.get('/search', async (req) => {
    const q = String(req.query.q ?? '');
    const min = Number(req.query.minPrice ?? 0);
    const where = `p.status = 'active' AND p.search_vector @@ websearch_to_tsquery('english', $1) AND p.price_to >= $2`;
    // As the API pages a search: the page first, then only its rows joined (ProductListingRepository.page).
    const ranked =
      `(SELECT p.id, p.slug, p.name, p.brand, p.price_from, p.price_to, p.currency, p.in_stock, p.category_id, ` +
      `${rank('$1')} AS sort_value FROM product p WHERE ${where} ORDER BY sort_value DESC, p.id DESC LIMIT $3) p`;
    const searchPage =
      `SELECT p.id, p.slug, p.name, p.brand, c.slug AS category_slug, p.price_from, p.price_to, p.currency, ` +
      `p.in_stock, i.url AS image_url, i.alt AS image_alt, p.sort_value::text AS sort_key ` +
      `FROM ${ranked} JOIN category c ON c.id = p.category_id ` +
      `LEFT JOIN product_image i ON i.product_id = p.id AND i.position = 0 ORDER BY p.sort_value DESC, p.id DESC`;
    const [rows, summary] = await Promise.all([
      pool.query(searchPage, [q, min, 25]),
      pool.query(aggregated(where), [q, min]),
    ]);
    return answer(rows.rows, summary.rows, 24);
  });
}
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.send?.('ready');
