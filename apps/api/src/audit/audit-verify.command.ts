import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { AuditKeyRing } from './audit-chain';
import { verifyAuditChain, type ChainAnchor } from './audit-chain-verifier';

/** Exit code of `audit:verify` when the chain is broken (1 stays for operational errors). */
export const AUDIT_VERIFY_BROKEN = 2;
/** Exit code of `audit:verify` for a bad command line. */
export const AUDIT_VERIFY_USAGE = 64;

/** Usage of the command, printed on a bad command line. */
export const AUDIT_VERIFY_USAGE_TEXT =
  'usage: cli.js audit:verify [--anchor SEQ:HASH]... [--from SEQ:HASH]\n' +
  '  --anchor  a head printed by an earlier run: it must still be in the chain, unchanged\n' +
  '  --from    start after this trusted row instead of the first one (after an investigated incident)';

/** Where the command writes: stdout for results, stderr for failures. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The options of `audit:verify`. */
export interface VerifyArgs {
  anchors: ChainAnchor[];
  from?: ChainAnchor;
}

const ANCHOR = /^([1-9]\d{0,17}):([0-9a-f]{64})$/;

/** Parses `--anchor SEQ:HASH` (repeatable) and `--from SEQ:HASH` (once); null on anything else. */
export function parseVerifyArgs(args: readonly string[]): VerifyArgs | null {
  const parsed: VerifyArgs = { anchors: [] };
  for (let i = 0; i < args.length; i += 2) {
    const match = ANCHOR.exec(args[i + 1] ?? '');
    if (!match) return null;
    const anchor = { seq: match[1] as string, hash: match[2] as string };
    if (args[i] === '--anchor') parsed.anchors.push(anchor);
    else if (args[i] === '--from' && parsed.from === undefined) parsed.from = anchor;
    else return null;
  }
  return parsed;
}

/** Verifies the chain of the given database and reports the outcome; returns the exit code. */
export async function verifyAndReport(
  db: Pick<DataSource, 'query'>,
  keys: AuditKeyRing,
  args: VerifyArgs,
  output: CommandOutput,
): Promise<number> {
  const result = await verifyAuditChain(db, keys, {
    anchors: args.anchors,
    ...(args.from ? { from: args.from } : {}),
  });
  if (result.ok) {
    output.out(
      result.head
        ? `audit:verify ok: ${result.rows} rows; head ${result.head.seq}:${result.head.hash} (keep it as an --anchor for the next run)`
        : `audit:verify ok: no rows ${args.from ? `after ${args.from.seq}` : 'yet'}`,
    );
    return 0;
  }
  output.err(
    `audit:verify FAILED at seq ${result.brokenAt}: ${result.problem} (${result.message}); ${result.rows} rows verified before it. See docs/runbooks/audit-verify.md`,
  );
  return AUDIT_VERIFY_BROKEN;
}

/**
 * `cli.js audit:verify`: walks the audit chain with the runtime connection (reading is enough)
 * and the keys of the configuration. Exit 0 when intact, {@link AUDIT_VERIFY_BROKEN} with the
 * first broken sequence number when not, {@link AUDIT_VERIFY_USAGE} on a bad command line.
 */
export async function runAuditVerify(
  config: AppConfig,
  args: readonly string[],
  output: CommandOutput,
): Promise<number> {
  const parsed = parseVerifyArgs(args);
  if (parsed === null) {
    output.err(AUDIT_VERIFY_USAGE_TEXT);
    return AUDIT_VERIFY_USAGE;
  }
  const keys = new AuditKeyRing(config.audit.hmacKey, config.audit.previousHmacKeys);
  const dataSource = await new DataSource(dataSourceOptions(config, 'runtime')).initialize();
  try {
    return await verifyAndReport(dataSource, keys, parsed, output);
  } finally {
    await dataSource.destroy();
  }
}
