import { EnvelopeFieldCipher } from '@storefront/crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { dataSourceOptions } from '../../database/data-source-options';
import { createKeyProvider, createKmsClient } from './key-provider.factory';
import { ReencryptionError, ReencryptionJob } from './reencryption.job';
import { TypeOrmKeyringStore } from './typeorm-keyring.store';

/** Where a key command writes, and (for tests) how it is stopped. */
export interface KeyCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Stops `keys:reencrypt` after its current batch; the CLI wires SIGINT/SIGTERM to it. */
  signal?: AbortSignal;
}

/** How long to wait after a rotation before re-encrypting: instances switch within a minute. */
const SWITCH_OVER_SECONDS = 120;

async function withCipher<T>(
  config: AppConfig,
  body: (tools: {
    dataSource: DataSource;
    keyring: TypeOrmKeyringStore;
    cipher: EnvelopeFieldCipher;
  }) => Promise<T>,
): Promise<T> {
  // The runtime role suffices: the keyring and the sealed columns only need DML.
  const dataSource = await new DataSource(dataSourceOptions(config)).initialize();
  const kms = createKmsClient(config);
  try {
    const keyring = new TypeOrmKeyringStore(dataSource);
    const cipher = new EnvelopeFieldCipher({ keyring, provider: createKeyProvider(config, kms) });
    return await body({ dataSource, keyring, cipher });
  } finally {
    kms?.destroy();
    await dataSource.destroy();
  }
}

/**
 * `keys:list`: the keyring, oldest first (id, status, provider, KEK, dates). Never prints key
 * material, wrapped or not.
 */
export async function runKeysList(config: AppConfig, io: KeyCommandIo): Promise<number> {
  return withCipher(config, async ({ keyring }) => {
    const keys = await keyring.list();
    if (keys.length === 0) io.out('keyring is empty (the first key is created on first use)');
    for (const key of keys) {
      io.out(
        `${key.id}  ${key.status.padEnd(7)}  ${key.provider}  ${key.kekId}  created ${key.createdAt.toISOString()}`,
      );
    }
    return 0;
  });
}

/**
 * `keys:rotate`: generates a new data key under the configured KEK and makes it the active one;
 * the previous key is retired and keeps opening the values sealed under it until
 * `keys:reencrypt` has moved them. Exit 0, or 1 if another rotation won the race.
 */
export async function runKeysRotate(config: AppConfig, io: KeyCommandIo): Promise<number> {
  return withCipher(config, async ({ keyring, cipher }) => {
    const previous = await keyring.findActive();
    const key = await cipher.rotate();
    io.out(`keys:rotate: ${key.id} is the active data key (${key.provider}, KEK ${key.kekId})`);
    if (previous) {
      io.out(
        `  ${previous.id} retired: it still opens the values sealed under it until keys:reencrypt moves them`,
      );
    }
    io.out(
      `  running instances switch to the new key within a minute; wait ${SWITCH_OVER_SECONDS} s, then run keys:reencrypt`,
    );
    return 0;
  });
}

function parseReencryptArgs(args: string[]): { batchSize: number; restart: boolean } | string {
  let batchSize = 200;
  let restart = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--restart') restart = true;
    else if (arg === '--batch-size' && /^\d{1,5}$/.test(args[i + 1] ?? '')) {
      batchSize = Number(args[++i]);
      if (batchSize < 1) return '--batch-size must be at least 1';
    } else return `unknown argument ${arg ?? ''}`;
  }
  return { batchSize, restart };
}

/**
 * `keys:reencrypt [--batch-size N] [--restart]`: moves every registered sealed column to the
 * active key (see {@link ReencryptionJob}). Exit 0 when every column is done, 2 when stopped
 * (run again to resume), 1 on a value that cannot be opened (named by table, column and row id),
 * 64 on bad arguments.
 */
export async function runKeysReencrypt(
  config: AppConfig,
  args: string[],
  io: KeyCommandIo,
): Promise<number> {
  const options = parseReencryptArgs(args);
  if (typeof options === 'string') {
    io.err(`keys:reencrypt: ${options}`);
    return 64;
  }
  return withCipher(config, async ({ dataSource, keyring, cipher }) => {
    const active = await keyring.findActive();
    if (active && Date.now() - active.createdAt.getTime() < SWITCH_OVER_SECONDS * 1000) {
      io.err(
        `keys:reencrypt: warning: key ${active.id} is less than ${SWITCH_OVER_SECONDS} s old; instances may still seal under the previous key. Run again with --restart afterwards.`,
      );
    }
    const job = new ReencryptionJob(dataSource, cipher);
    try {
      const summary = await job.run({
        ...options,
        ...(io.signal ? { signal: io.signal } : {}),
        onBatch: (p) => {
          io.out(
            `  ${p.table}.${p.column}: ${p.scanned} read this run, ${p.resealed} resealed, ${p.skipped} rewritten meanwhile${p.completed ? ', done' : ''}`,
          );
        },
      });
      io.out(
        `keys:reencrypt: target key ${summary.targetKeyId}; ${summary.columns.length} column(s) ${summary.stopped ? 'so far — stopped, run again to resume' : 'done'}`,
      );
      for (const p of summary.columns) {
        io.out(
          `  ${p.table}.${p.column}: ${p.resealed} resealed, ${p.skipped} rewritten by the application meanwhile, ${p.completed ? 'complete' : 'incomplete'}`,
        );
      }
      return summary.stopped ? 2 : 0;
    } catch (error) {
      if (error instanceof ReencryptionError) {
        io.err(`keys:reencrypt: ${error.message}`);
        return 1;
      }
      throw error;
    }
  });
}
