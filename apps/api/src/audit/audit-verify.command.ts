import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { AuditKeyRing } from './audit-chain';
import { verifyAuditChain, type ChainAnchor, type ChainVerification } from './audit-chain-verifier';

/** Exit code of `audit:verify` when the chain is broken (1 stays for operational errors). */
export const AUDIT_VERIFY_BROKEN = 2;
/** Exit code of `audit:verify` for a bad command line. */
export const AUDIT_VERIFY_USAGE = 64;

/** Usage of the command, printed on a bad command line. */
export const AUDIT_VERIFY_USAGE_TEXT =
  'usage: cli.js audit:verify [--anchor SEQ:HASH]... (anchors: heads printed by earlier runs)';

/** Where the command writes: stdout for results, stderr for failures. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const ANCHOR = /^([1-9]\d{0,17}):([0-9a-f]{64})$/;

/** Parses `--anchor SEQ:HASH` arguments; null on anything else. */
export function parseVerifyArgs(args: readonly string[]): ChainAnchor[] | null {
  const anchors: ChainAnchor[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const match = args[i] === '--anchor' ? ANCHOR.exec(args[i + 1] ?? '') : null;
    if (!match) return null;
    anchors.push({ seq: match[1] as string, hash: match[2] as string });
    i += 1;
  }
  return anchors;
}

/** Verifies the chain of the given database and reports the outcome; returns the exit code. */
export async function verifyAndReport(
  db: Pick<DataSource, 'query'>,
  keys: AuditKeyRing,
  anchors: readonly ChainAnchor[],
  output: CommandOutput,
): Promise<number> {
  const result: ChainVerification = await verifyAuditChain(db, keys, { anchors });
  if (result.ok) {
    output.out(
      result.head
        ? `audit:verify ok: ${result.rows} rows; head ${result.head.seq}:${result.head.hash} (keep it as an --anchor for the next run)`
        : 'audit:verify ok: the audit trail is empty',
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
  const anchors = parseVerifyArgs(args);
  if (anchors === null) {
    output.err(AUDIT_VERIFY_USAGE_TEXT);
    return AUDIT_VERIFY_USAGE;
  }
  const keys = new AuditKeyRing(config.audit.hmacKey, config.audit.previousHmacKeys);
  const dataSource = await new DataSource(dataSourceOptions(config, 'runtime')).initialize();
  try {
    return await verifyAndReport(dataSource, keys, anchors, output);
  } finally {
    await dataSource.destroy();
  }
}
