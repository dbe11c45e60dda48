// `npm run bench:login`: how many password sign-ins per second this machine sustains, and what a
// login storm does to the catalogue's latency. The API caps concurrent argon2id hashes
// (PASSWORD_HASH_CONCURRENCY, default one per core up to 3) so a storm cannot take every core.
// Against the real PostgreSQL and Redis on 127.0.0.1; bounded by BENCH_SECONDS per scenario.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { machine, seededDatabase, startApi } from './bench-support.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LOGIN_CONNECTIONS = Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 50);
const CATALOGUE_CONNECTIONS = Number(process.env.BENCH_CATALOGUE_CONNECTIONS ?? 10);
const ACCOUNTS = 20;

const { databaseUrl: DATABASE_URL, env: apiEnv } = await seededDatabase('storefront_bench_login', 3414, {
  RATE_LIMIT_AUTH: '999999/1',
  LOGIN_IP_FAILURE_LIMIT: '10000',
});
const { api, base } = await startApi(apiEnv);

// Accounts through the real registration, then confirmed in the database (no mail is sent).
const accounts = [];
for (let i = 0; i < ACCOUNTS; i++) {
  const email = `bench-${i}-${randomBytes(3).toString('hex')}@example.test`;
  const password = `correct horse ${randomBytes(8).toString('hex')} staple`;
  const response = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 202) throw new Error(`register: ${response.status}`);
  accounts.push(JSON.stringify({ email, password }));
}
const db = new pg.Client({ connectionString: DATABASE_URL });
await db.connect();
// Registration answers before the account is written: wait until all of them exist.
for (let i = 0; i < 100; i++) {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM users');
  if (rows[0].n >= ACCOUNTS) break;
  await new Promise((r) => setTimeout(r, 100));
}
await db.query('UPDATE users SET email_verified_at = now()');
await db.end();

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon({ duration: SECONDS, ...options }, (error, result) => {
      if (error) return reject(error);
      resolve({
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        ok: result['2xx'],
        other: result.non2xx + result.errors,
      });
    });
  });
}
const login = () => {
  let n = 0;
  return run({
    url: base,
    connections: LOGIN_CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: accounts[n++ % accounts.length] }),
      },
    ],
  });
};
const catalogue = () => run({ url: `${base}/api/products`, connections: CATALOGUE_CONNECTIONS });

const rows = [];
const quietCatalogue = await catalogue();
rows.push(['catalogue alone (cached listing)', '', quietCatalogue]);
const storm = await login();
rows.push(['login storm alone', 'logins', storm]);
const [stormDuring, catalogueDuring] = await Promise.all([login(), catalogue()]);
rows.push(['login storm + catalogue: logins', 'logins', stormDuring]);
rows.push(['login storm + catalogue: catalogue', '', catalogueDuring]);
api.kill('SIGTERM');

console.log(
  `\n${machine()}; ` +
    `${LOGIN_CONNECTIONS} login + ${CATALOGUE_CONNECTIONS} catalogue connections, ${SECONDS} s each\n`,
);
console.log('| scenario | req/s | p50 ms | p99 ms | 2xx | other |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, , r] of rows) console.log(`| ${name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.other} |`);
process.exit(0);
