// What the load scripts share: a fresh database with the demo catalogue, and the built API started
// on it in development mode against the real PostgreSQL and Redis (production mode needs AWS KMS,
// SMTP and https origins a local bench cannot provide; nothing on the measured paths depends on
// NODE_ENV). Mail stays in the outbox (no worker), so nothing is sent.
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import pg from 'pg';

const ADMIN = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = new URL('../../', import.meta.url).pathname;

/** Drops and re-creates database `name`, seeds the demo catalogue; returns its URL and API env. */
export async function seededDatabase(name, port, extraEnv = {}) {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: url.toString(),
    REDIS_URL,
    REDIS_KEY_PREFIX: `${name}:${Date.now()}:`,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    MAIL_WORKER: 'off',
    RATE_LIMIT_DEFAULT: '999999/1',
    ...extraEnv,
  };
  console.log('seeding the demo catalogue…');
  execFileSync('node', [`${root}apps/api/dist/cli.js`, 'seed'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return { databaseUrl: url.toString(), env };
}

/** Starts the built API with `env` and waits until it is ready; it is stopped when the script exits. */
export async function startApi(env) {
  const api = spawn('node', [`${root}apps/api/dist/main.js`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  process.on('exit', () => api.kill('SIGTERM'));
  process.on('uncaughtException', (error) => {
    console.error(error);
    process.exit(1);
  });
  const base = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health/ready`)).ok) return { api, base };
    } catch {}
    if (i > 200) throw new Error('API not up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One line naming the machine, for the figures in docs/PERFORMANCE.md. */
export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
