import { Inject, Injectable } from '@nestjs/common';
import { FieldCryptoError, parseSealedValue, type EnvelopeFieldCipher } from '@storefront/crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { ENVELOPE_CIPHER } from './encryption.tokens';
import { assertSealedColumn, collectSealedColumns, type SealedColumn } from './sealed-column';

/** Options of {@link ReencryptionJob.run}. */
export interface ReencryptionOptions {
  /** Rows read per batch (one progress checkpoint per batch). Default 200. */
  batchSize?: number;
  /** Columns to walk; default: every registered sealed column ({@link collectSealedColumns}). */
  columns?: SealedColumn[];
  /** Stops cleanly after the current batch; the next run resumes there. */
  signal?: AbortSignal;
  /** Walk columns again from the start even if a run for this key completed (catches values the
   * application sealed under the old key while the run was going). */
  restart?: boolean;
  /** Called after every batch. */
  onBatch?: (progress: ColumnProgress) => void;
}

/** Where the job stands for one column (counts are totals of every run for this target key). */
export interface ColumnProgress {
  table: string;
  column: string;
  targetKeyId: string;
  /** Values re-sealed under the target key. */
  resealed: number;
  /** Values the application rewrote between our read and our write: left as it wrote them. */
  skipped: number;
  /** Rows read in this run. */
  scanned: number;
  lastRowId: string | null;
  completed: boolean;
}

/** The outcome of {@link ReencryptionJob.run}. */
export interface ReencryptionSummary {
  targetKeyId: string;
  columns: ColumnProgress[];
  /** True when stopped by the signal before every column completed. */
  stopped: boolean;
}

/** Raised when a stored value cannot be re-sealed (malformed or failing authentication). */
export class ReencryptionError extends Error {
  constructor(
    readonly sealedColumn: SealedColumn,
    readonly rowId: string,
    readonly failure: FieldCryptoError,
  ) {
    super(
      `re-encryption stopped at ${sealedColumn.table}.${sealedColumn.column} row ${rowId}: ${failure.code} (${failure.message})`,
      { cause: failure },
    );
    this.name = 'ReencryptionError';
  }
}

interface Row {
  id: string;
  value: string;
}

/** Identifiers have been checked by {@link assertSealedColumn}: quoting them is then enough. */
const quote = (identifier: string) => `"${identifier}"`;

/**
 * Moves sealed values to the active data key after a rotation. For every registered sealed column
 * it walks the table in primary-key order, in batches; values under another key are opened
 * (authenticated) and sealed again under the target key, and written back with a conditional
 * `UPDATE … WHERE id = $id AND column = $old`, so a value the application rewrote in between is
 * never overwritten. Progress is checkpointed per batch in `encryption_reencryption_progress`, so a
 * stopped run resumes after the last finished row. Safe to run while the application writes.
 */
@Injectable()
export class ReencryptionJob {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ENVELOPE_CIPHER) private readonly cipher: EnvelopeFieldCipher,
  ) {}

  async run(options: ReencryptionOptions = {}): Promise<ReencryptionSummary> {
    const batchSize = Math.min(Math.max(options.batchSize ?? 200, 1), 10_000);
    const columns = options.columns ?? collectSealedColumns(this.dataSource);
    for (const column of columns) assertSealedColumn(column);
    this.cipher.refreshActiveKey();
    const targetKeyId = await this.cipher.activeKeyId();

    const summary: ReencryptionSummary = { targetKeyId, columns: [], stopped: false };
    const runner = this.dataSource.createQueryRunner();
    try {
      for (const column of columns) {
        if (options.signal?.aborted) {
          summary.stopped = true;
          break;
        }
        const progress = await this.walkColumn(runner, column, targetKeyId, batchSize, options);
        summary.columns.push(progress);
        if (!progress.completed) {
          summary.stopped = true;
          break;
        }
      }
    } finally {
      await runner.release();
    }
    return summary;
  }

  private async walkColumn(
    runner: QueryRunner,
    sealed: SealedColumn,
    targetKeyId: string,
    batchSize: number,
    options: ReencryptionOptions,
  ): Promise<ColumnProgress> {
    const key = [sealed.table, sealed.column, targetKeyId];
    if (options.restart) {
      await runner.query(
        `DELETE FROM encryption_reencryption_progress
          WHERE table_name = $1 AND column_name = $2 AND target_key_id = $3`,
        key,
      );
    }
    await runner.query(
      `INSERT INTO encryption_reencryption_progress (table_name, column_name, target_key_id)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      key,
    );
    const [saved] = (await runner.query(
      `SELECT last_row_id, resealed, skipped,
              completed_at IS NOT NULL AS completed
         FROM encryption_reencryption_progress
        WHERE table_name = $1 AND column_name = $2 AND target_key_id = $3`,
      key,
    )) as {
      last_row_id: string | null;
      resealed: string;
      skipped: string;
      completed: boolean;
    }[];
    const progress: ColumnProgress = {
      table: sealed.table,
      column: sealed.column,
      targetKeyId,
      resealed: Number(saved?.resealed ?? 0),
      skipped: Number(saved?.skipped ?? 0),
      scanned: 0,
      lastRowId: saved?.last_row_id ?? null,
      completed: saved?.completed ?? false,
    };
    if (progress.completed) return progress;

    const table = quote(sealed.table);
    const column = quote(sealed.column);
    const id = quote(sealed.idColumn);
    const selectFirst = `SELECT ${id}::text AS id, ${column} AS value FROM ${table}
       WHERE ${column} IS NOT NULL ORDER BY ${id} LIMIT $1`;
    const selectAfter = `SELECT ${id}::text AS id, ${column} AS value FROM ${table}
       WHERE ${column} IS NOT NULL AND ${id} > $2 ORDER BY ${id} LIMIT $1`;
    const update = `UPDATE ${table} SET ${column} = $1 WHERE ${id} = $2 AND ${column} = $3`;

    for (;;) {
      if (options.signal?.aborted) return progress;
      const rows = (
        progress.lastRowId === null
          ? await runner.query(selectFirst, [batchSize])
          : await runner.query(selectAfter, [batchSize, progress.lastRowId])
      ) as Row[];
      let resealed = 0;
      let skipped = 0;
      for (const row of rows) {
        const next = await this.resealRow(sealed, row, targetKeyId);
        if (next === undefined) continue;
        const result = await runner.query(update, [next, row.id, row.value], true);
        if (result.affected === 1) resealed++;
        else skipped++;
      }
      const last = rows.at(-1);
      const done = rows.length < batchSize;
      progress.scanned += rows.length;
      progress.resealed += resealed;
      progress.skipped += skipped;
      progress.lastRowId = last?.id ?? progress.lastRowId;
      progress.completed = done;
      await runner.query(
        `UPDATE encryption_reencryption_progress
            SET last_row_id = $4, resealed = resealed + $5, skipped = skipped + $6,
                updated_at = now(), completed_at = CASE WHEN $7::boolean THEN now() END
          WHERE table_name = $1 AND column_name = $2 AND target_key_id = $3`,
        [...key, progress.lastRowId, resealed, skipped, done],
      );
      options.onBatch?.({ ...progress });
      if (done) return progress;
    }
  }

  /** The value re-sealed under the target key, or `undefined` if it is already under it. */
  private async resealRow(
    sealed: SealedColumn,
    row: Row,
    targetKeyId: string,
  ): Promise<string | undefined> {
    const context = {
      table: sealed.contextTable ?? sealed.table,
      column: sealed.contextColumn ?? sealed.column,
      rowId: row.id,
    };
    try {
      if (parseSealedValue(row.value).keyId === targetKeyId) return undefined;
      return await this.cipher.reseal(row.value, context, targetKeyId);
    } catch (error) {
      if (error instanceof FieldCryptoError) throw new ReencryptionError(sealed, row.id, error);
      throw error;
    }
  }
}
