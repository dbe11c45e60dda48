// The whole shop on real parts, for browser journeys and web integration tests: a fresh PostgreSQL
// database seeded with the demo catalogue, the built API (apps/api/dist) on it with its own Redis
// key prefix, the development payment provider and its mail worker delivering to a real SMTP
// listener, and the built web server (apps/web/server.mjs) in production mode in front of it.
//
//   const stack = await startFullStack({ name: 'web_e2e' });
//   stack.webUrl, stack.apiUrl, stack.mail (the SMTP listener: messages, waitFor…), stack.stop(),
//   stack.redisUrl and stack.redisKeyPrefix (the API's keys, for tests that age a session)
//
// Needs `nx run api:build` and `nx run web:build` first (the web test target depends on both).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { startSmtpListener } from '../../apps/api/test/support/smtp-listener.ts';

const ADMIN_URL =
  process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = new URL('../../', import.meta.url).pathname;

/** A port nobody listens on right now (asked from the kernel). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The URL of database `name` on the admin URL's server. */
function databaseUrlOf(name) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops database `name` and creates it again as a copy of database `template`; returns its URL. */
async function freshDatabase(name, template) {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return databaseUrlOf(name);
}

/** `env` without a separate migration URL: the template is migrated through its own URL. */
function withoutMigrationUrl(env) {
  const rest = { ...env };
  delete rest.MIGRATION_DATABASE_URL;
  return rest;
}

/** A fingerprint of the built API, whose migrations and seed decide what a seeded database holds. */
function builtApiFingerprint() {
  const dist = `${root}apps/api/dist`;
  const hash = createHash('sha256');
  const files = readdirSync(dist, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.js'))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(`${dist}/${file}`));
  return hash.digest('hex').slice(0, 16);
}

const TEMPLATE_PREFIX = 'e2e_template_';
/** pg_advisory_lock key serialising the making of a template (any fixed number of ours). */
const TEMPLATE_LOCK = 7_304_117;

/**
 * The name of a database holding the migrated schema and the seeded demo catalogue of this build of
 * the API, made once and kept on the server: a stack's own database is a copy of it (`CREATE
 * DATABASE … TEMPLATE`, a file copy of ≈ 0.3 s, against ≈ 5–17 s to migrate and seed). Stacks
 * started together (Vitest's workers) wait on an advisory lock while the first one makes it. It is
 * seeded under a temporary name and renamed when complete, so a seed that failed half-way is never
 * copied; templates of other builds are dropped. The demo catalogue does not depend on the API's
 * environment, so one template serves every stack whatever its `apiEnv`.
 */
async function seededTemplate(env) {
  const name = `${TEMPLATE_PREFIX}${builtApiFingerprint()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      const { rows } = await admin.query(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [TEMPLATE_PREFIX],
      );
      for (const { datname } of rows) {
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
      const partial = `${name}_partial`;
      await admin.query(`CREATE DATABASE ${partial}`);
      execFileSync(process.execPath, [`${root}apps/api/dist/cli.js`, 'seed'], {
        env: { ...withoutMigrationUrl(env), DATABASE_URL: databaseUrlOf(partial) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await admin.query(`ALTER DATABASE ${partial} RENAME TO ${name}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => {});
    await admin.end();
  }
  return name;
}

async function dropDatabase(name) {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Starts `node <script>` and resolves once `readyUrl` answers 200. */
async function startProcess(label, script, env, readyUrl) {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = null;
  child.once('exit', (code) => {
    exited = code;
  });
  for (let i = 0; ; i++) {
    if (exited !== null)
      throw new Error(`${label} exited with ${String(exited)} before it was ready`);
    try {
      if ((await fetch(readyUrl)).ok) return child;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`${label} not ready after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * Starts the stack. `host` is the name the browser uses: `localhost` by default, because passkeys
 * (WebAuthn) need a domain, not an IP address, as relying-party id.
 */
export async function startFullStack({
  name = `web_e2e_${process.pid}`,
  host = 'localhost',
  webPort,
  apiPort,
  apiEnv = {},
} = {}) {
  const [wPort, aPort] = [webPort ?? (await freePort()), apiPort ?? (await freePort())];
  const webUrl = `http://${host}:${wPort}`;
  const apiUrl = `http://127.0.0.1:${aPort}`;
  const databaseUrl = databaseUrlOf(name);
  const redisKeyPrefix = `${name}:${Date.now()}:`;
  const mail = await startSmtpListener();
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(aPort),
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'error',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    PUBLIC_ORIGINS: [webUrl, `http://127.0.0.1:${wPort}`].join(','),
    PUBLIC_BASE_URL: webUrl,
    WEBAUTHN_RP_ID: host,
    PAYMENT_PROVIDER: 'development',
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    SMTP_TLS: 'opportunistic',
    MAIL_WORKER: 'inline',
    MAIL_RETRY_BASE_DELAY_MS: '200',
    MAIL_SWEEP_INTERVAL_MS: '500',
    // A browser journey signs in and checks out more often than a person would.
    RATE_LIMIT_DEFAULT: '10000/60',
    RATE_LIMIT_AUTH: '1000/60',
    RATE_LIMIT_CHECKOUT: '1000/60',
    RATE_LIMIT_SEARCH: '1000/60',
    ...apiEnv,
  };
  // Its own database, a copy of the seeded template (migrations and demo catalogue of this build).
  await freshDatabase(name, await seededTemplate(env));
  const api = await startProcess(
    'API',
    `${root}apps/api/dist/main.js`,
    env,
    `${apiUrl}/api/health/ready`,
  );
  let web;
  try {
    web = await startProcess(
      'web server',
      `${root}apps/web/server.mjs`,
      {
        ...process.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(wPort),
        API_URL: apiUrl,
        API_PROXY: 'on',
        PUBLIC_ORIGINS: env.PUBLIC_ORIGINS,
      },
      `http://127.0.0.1:${wPort}/healthz`,
    );
  } catch (error) {
    await stopProcess(api);
    throw error;
  }
  return {
    webUrl,
    apiUrl,
    databaseUrl,
    redisUrl: REDIS_URL,
    redisKeyPrefix,
    mail,
    async stop() {
      await stopProcess(web);
      await stopProcess(api);
      await mail.close();
      await dropDatabase(name);
    },
  };
}
