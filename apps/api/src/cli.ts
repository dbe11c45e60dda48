import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { AppConfig } from './config/app-config';
import { runAuditVerify } from './audit/audit-verify.command';
import { dataSourceOptions } from './database/data-source-options';
import { runKeysList, runKeysReencrypt, runKeysRotate } from './privacy/encryption/key-commands';
import { runMailWorker } from './mail/mail-worker.process';
import { adminCreate } from './identity/commands/admin-create.command';
import { couponsCreate } from './coupons/coupons-create.command';
import { sessionsRevokeAll } from './session/commands/sessions-revoke-all.command';
import { configOrExit, startServer } from './server';
import { catalogueIsEmpty, seedCatalogue } from './seed/seed-catalogue';

/** Runs the committed migrations with the migration (schema owner) connection. */
export async function migrate(
  config: AppConfig,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(config, 'migrate')).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    log(
      applied.length === 0
        ? 'migrations: up to date'
        : `migrations: applied ${applied.map((m) => m.name).join(', ')}`,
    );
  } finally {
    await dataSource.destroy();
  }
}

async function seed(config: AppConfig, reset: boolean): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(config, 'migrate')).initialize();
  try {
    const started = Date.now();
    const result = await seedCatalogue(dataSource, {
      reset,
      progress: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(
      `seeded ${result.categories} categories, ${result.products} products, ${result.variants} variants in ${Date.now() - started} ms\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

/**
 * `npm start` on the embedded defaults: migrate and, on first run, seed the embedded database,
 * then serve. With DATABASE_URL, migrations stay an explicit step (`npm run migrate`).
 */
async function start(config: AppConfig): Promise<void> {
  if (config.database.kind === 'embedded') {
    const say = (line: string) => process.stdout.write(`${line}\n`);
    say(`embedded PostgreSQL (PGlite) in ${config.database.dataDir} — development only`);
    await migrate(config, say);
    if (config.database.seedOnStart) {
      const dataSource = await new DataSource(dataSourceOptions(config, 'migrate')).initialize();
      const empty = await catalogueIsEmpty(dataSource);
      if (empty) {
        say('first run: seeding the demo catalogue');
        await seedCatalogue(dataSource, { progress: say });
      }
      await dataSource.destroy();
    }
  }
  await startServer(config);
}

const USAGE =
  'usage: cli.js migrate | seed [--reset] | start | worker | admin:create --email <address> | audit:verify [--anchor SEQ:HASH]... [--from SEQ:HASH] | keys:list | keys:rotate | keys:reencrypt [--batch-size N] [--restart] | coupons:create (--percent N | --amount CENTS) (--valid-until ISO | --days N) [...] | sessions:revoke-all [--staff-only]';

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      await migrate(configOrExit('migrate'), (line) => process.stdout.write(`${line}\n`));
      return;
    case 'seed': {
      const config = configOrExit('migrate');
      await migrate(config, (line) => process.stdout.write(`${line}\n`));
      await seed(config, rest.includes('--reset'));
      return;
    }
    case 'start':
      await start(configOrExit());
      return;
    case 'worker':
      // The mail worker as its own process (the API then runs with MAIL_WORKER=off).
      await runMailWorker(configOrExit('mail-worker'));
      return;
    case 'admin:create': {
      const config = configOrExit();
      if (config.database.kind === 'embedded') await migrate(config);
      const code = await adminCreate(config, rest, (line) => process.stdout.write(`${line}\n`));
      process.exit(code);
      return;
    }
    case 'audit:verify': {
      // Walks the audit hash chain; exit 2 names the first broken row (docs/runbooks/audit-verify.md).
      const code = await runAuditVerify(configOrExit('audit-verify'), rest, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
      process.exit(code);
      return;
    }
    case 'keys:list':
    case 'keys:rotate':
    case 'keys:reencrypt': {
      // Field-encryption data keys (docs/runbooks/key-rotation.md).
      const config = configOrExit('field-keys');
      if (config.database.kind === 'embedded') await migrate(config);
      const stop = new AbortController();
      const abort = () => {
        stop.abort();
      };
      process.once('SIGINT', abort).once('SIGTERM', abort);
      const io = {
        out: (line: string) => process.stdout.write(`${line}\n`),
        err: (line: string) => process.stderr.write(`${line}\n`),
        signal: stop.signal,
      };
      const code =
        command === 'keys:list'
          ? await runKeysList(config, io)
          : command === 'keys:rotate'
            ? await runKeysRotate(config, io)
            : await runKeysReencrypt(config, rest, io);
      process.exit(code);
      return;
    }
    case 'coupons:create': {
      // Prints a new coupon code once; only its digest is stored.
      const config = configOrExit();
      if (config.database.kind === 'embedded') await migrate(config);
      const code = await couponsCreate(config, rest, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
      process.exit(code);
      return;
    }
    case 'sessions:revoke-all': {
      // Signs everybody (or all staff) out (docs/runbooks/leaked-secret-or-key.md, 2g).
      const code = await sessionsRevokeAll(configOrExit(), rest, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
      process.exit(code);
      return;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(64);
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
