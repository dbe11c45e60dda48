import { KeyringConflictError } from './crypto-errors';

/** `active`: new values are sealed under it (exactly one at a time). `retired`: still opens old
 * values until the re-encryption job has moved them. */
export type DataKeyStatus = 'active' | 'retired';

/** A data key as the keyring stores it: wrapped, never in clear. */
export interface DataKeyRecord {
  /** Key id written into every sealed value. */
  id: string;
  /** The data key encrypted under the KEK. */
  wrappedKey: Buffer;
  /** Name of the provider that wrapped it (`local`, `aws-kms`). */
  provider: string;
  /** Which KEK wrapped it (local fingerprint or KMS key ARN). */
  kekId: string;
  status: DataKeyStatus;
  createdAt: Date;
}

/**
 * Where wrapped data keys are kept (the API stores them in PostgreSQL, table `encryption_keys`).
 * Implementations guarantee at most one active key, also under concurrent calls.
 */
export interface KeyringStore {
  /** The key new values are sealed under, if any. */
  findActive(): Promise<DataKeyRecord | undefined>;
  /** Any key, active or retired. */
  findById(id: string): Promise<DataKeyRecord | undefined>;
  /** Every key, oldest first. */
  list(): Promise<DataKeyRecord[]>;
  /**
   * Stores `record` as the active key if there is none yet; otherwise stores nothing. Returns the
   * key that is active afterwards (the given one, or the one another process stored first).
   */
  addFirstKey(record: DataKeyRecord): Promise<DataKeyRecord>;
  /**
   * Atomically retires the active key (`expectedActiveId`) and stores `record` as active. Throws
   * {@link KeyringConflictError} if the active key is no longer `expectedActiveId` (a concurrent
   * rotation won).
   */
  rotateTo(record: DataKeyRecord, expectedActiveId: string | undefined): Promise<void>;
}

/** A {@link KeyringStore} in memory, for unit tests and tools; not shared between processes. */
export class InMemoryKeyringStore implements KeyringStore {
  private readonly records: DataKeyRecord[] = [];

  findActive(): Promise<DataKeyRecord | undefined> {
    return Promise.resolve(this.copy(this.records.find((r) => r.status === 'active')));
  }

  findById(id: string): Promise<DataKeyRecord | undefined> {
    return Promise.resolve(this.copy(this.records.find((r) => r.id === id)));
  }

  list(): Promise<DataKeyRecord[]> {
    return Promise.resolve(this.records.map((r) => ({ ...r })));
  }

  async addFirstKey(record: DataKeyRecord): Promise<DataKeyRecord> {
    const active = this.records.find((r) => r.status === 'active');
    if (active) return { ...active };
    this.records.push({ ...record, status: 'active' });
    return (await this.findActive()) ?? record;
  }

  rotateTo(record: DataKeyRecord, expectedActiveId: string | undefined): Promise<void> {
    const active = this.records.find((r) => r.status === 'active');
    if (active?.id !== expectedActiveId) {
      return Promise.reject(new KeyringConflictError('the active key changed during rotation'));
    }
    if (active) active.status = 'retired';
    this.records.push({ ...record, status: 'active' });
    return Promise.resolve();
  }

  private copy(record: DataKeyRecord | undefined): DataKeyRecord | undefined {
    return record ? { ...record } : undefined;
  }
}
