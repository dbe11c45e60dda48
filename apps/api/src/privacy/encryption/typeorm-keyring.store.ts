import { KeyringConflictError, type DataKeyRecord, type KeyringStore } from '@storefront/crypto';
import type { DataSource } from 'typeorm';
import { EncryptionKey } from './encryption-key.entity';

const UNIQUE_VIOLATION = '23505';

function toRecord(row: EncryptionKey): DataKeyRecord {
  return {
    id: row.id,
    wrappedKey: row.wrappedKey,
    provider: row.provider,
    kekId: row.kekId,
    status: row.status,
    createdAt: row.createdAt,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { code?: unknown }).code === UNIQUE_VIOLATION ||
      (error as { driverError?: { code?: unknown } }).driverError?.code === UNIQUE_VIOLATION)
  );
}

/**
 * The keyring in PostgreSQL (`encryption_keys`). The partial unique index on the active status
 * makes "one active key" a database invariant, so concurrent first writes or rotations from
 * several instances cannot leave two active keys; the loser re-reads or fails loudly.
 */
export class TypeOrmKeyringStore implements KeyringStore {
  constructor(private readonly dataSource: DataSource) {}

  async findActive(): Promise<DataKeyRecord | undefined> {
    const row = await this.dataSource
      .getRepository(EncryptionKey)
      .findOne({ where: { status: 'active' } });
    return row ? toRecord(row) : undefined;
  }

  async findById(id: string): Promise<DataKeyRecord | undefined> {
    const row = await this.dataSource.getRepository(EncryptionKey).findOne({ where: { id } });
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<DataKeyRecord[]> {
    const rows = await this.dataSource
      .getRepository(EncryptionKey)
      .find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toRecord);
  }

  async addFirstKey(record: DataKeyRecord): Promise<DataKeyRecord> {
    await this.dataSource.query(
      `INSERT INTO encryption_keys (id, wrapped_key, provider, kek_id, status, created_at)
       VALUES ($1, $2, $3, $4, 'active', $5)
       ON CONFLICT (status) WHERE status = 'active' DO NOTHING`,
      [record.id, record.wrappedKey, record.provider, record.kekId, record.createdAt],
    );
    const active = await this.findActive();
    if (!active) throw new KeyringConflictError('no active data key after adding the first one');
    return active;
  }

  async rotateTo(record: DataKeyRecord, expectedActiveId: string | undefined): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        if (expectedActiveId !== undefined) {
          const retired = await manager
            .createQueryBuilder()
            .update(EncryptionKey)
            .set({ status: 'retired', retiredAt: () => 'now()' })
            .where('id = :id AND status = :status', { id: expectedActiveId, status: 'active' })
            .execute();
          if (retired.affected !== 1) {
            throw new KeyringConflictError(
              `data key ${expectedActiveId} is no longer active: another rotation happened first`,
            );
          }
        }
        await manager.insert(EncryptionKey, {
          id: record.id,
          wrappedKey: record.wrappedKey,
          provider: record.provider,
          kekId: record.kekId,
          status: 'active',
          createdAt: record.createdAt,
          retiredAt: null,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new KeyringConflictError('another data key became active during the rotation');
      }
      throw error;
    }
  }
}
