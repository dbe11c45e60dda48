import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { DataKeyUnwrapError, KeyringConflictError, UnknownDataKeyError } from './crypto-errors';
import { openField, sealField, type DataKey } from './field-sealer';
import type { KeyProvider } from './key-provider';
import type { DataKeyRecord, KeyringStore } from './keyring';
import {
  DATA_KEY_BYTES,
  assertSealContext,
  parseSealedValue,
  type SealContext,
} from './sealed-value';

/** Options of {@link EnvelopeFieldCipher}. */
export interface EnvelopeFieldCipherOptions {
  /** Where wrapped data keys are stored. */
  keyring: KeyringStore;
  /** The KEK side: generates and unwraps data keys. */
  provider: KeyProvider;
  /** Most unwrapped data keys held in memory (least recently used evicted). Default 16. */
  maxCachedKeys?: number;
  /**
   * How long this process trusts the active key id it read; after that the next seal triggers a
   * refresh in the background (the seal itself still uses the known key). Roughly the longest time
   * after a rotation elsewhere during which this process still seals under the old key. Default 60 s.
   */
  activeKeyTtlMs?: number;
  /** Milliseconds clock; tests replace it. */
  now?: () => number;
}

/** A new key id: creation date (for people reading the keyring) and 48 random bits. */
function newKeyId(now: number): string {
  const day = new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
  return `${day}-${randomBytes(6).toString('base64url')}`;
}

/**
 * Envelope encryption of fields: values are sealed with AES-256-GCM under a data key (DEK) from
 * the keyring; data keys are stored wrapped by the {@link KeyProvider}'s KEK and unwrapped on
 * first use. The sealed value names its key, so after a {@link rotate} new values use the new key
 * while old values still open with the retired one until the re-encryption job reseals them.
 *
 * Unwrapped keys live only in a bounded in-memory cache, as `KeyObject`s (whose inspection and
 * serialisation never show the key bytes); the clear buffers are zero-filled after import.
 *
 * Once {@link warmUp} has run, sealing and opening never wait for the keyring or the KEK: callers
 * often seal inside their own database transaction, and a keyring query there would need a second
 * connection (a deadlock on a single-session database, pool exhaustion under load). The active key
 * is refreshed in the background, and a new active key is unwrapped before it is used.
 */
export class EnvelopeFieldCipher {
  private readonly keyring: KeyringStore;
  private readonly provider: KeyProvider;
  private readonly maxCachedKeys: number;
  private readonly activeKeyTtlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, Promise<KeyObject>>();
  private active: { id: string; readAt: number } | undefined;
  private activeLoading: Promise<string> | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(options: EnvelopeFieldCipherOptions) {
    this.keyring = options.keyring;
    this.provider = options.provider;
    this.maxCachedKeys = Math.max(1, options.maxCachedKeys ?? 16);
    this.activeKeyTtlMs = Math.max(0, options.activeKeyTtlMs ?? 60_000);
    this.now = options.now ?? Date.now;
  }

  /** Seals `plaintext` for `context` under the active data key (created on first use). */
  async encrypt(plaintext: string, context: SealContext): Promise<string> {
    assertSealContext(context);
    return sealField(plaintext, context, await this.dataKey(await this.activeKeyId()));
  }

  /**
   * Opens a sealed value for `context`. Throws `MalformedSealedValueError`,
   * `UnknownDataKeyError`, `DataKeyUnwrapError` or `FieldDecryptionError` (tampering, wrong
   * context) — never returns unauthenticated data.
   */
  async decrypt(sealed: string, context: SealContext): Promise<string> {
    assertSealContext(context);
    const parts = parseSealedValue(sealed);
    const { key } = await this.dataKey(parts.keyId);
    return openField(parts, context, key);
  }

  /**
   * Re-seals `sealed` under `targetKeyId` (default: the active key). Returns `undefined` when it is
   * already sealed under that key; otherwise opens it (authenticating it) and seals it afresh.
   */
  async reseal(
    sealed: string,
    context: SealContext,
    targetKeyId?: string,
  ): Promise<string | undefined> {
    const target = targetKeyId ?? (await this.activeKeyId());
    if (parseSealedValue(sealed).keyId === target) return undefined;
    const plaintext = await this.decrypt(sealed, context);
    return sealField(plaintext, context, await this.dataKey(target));
  }

  /**
   * Id of the key new values are sealed under; creates the first key of an empty keyring. Once
   * known, it is returned at once; when older than the TTL, a background refresh is started.
   */
  async activeKeyId(): Promise<string> {
    if (this.active) {
      if (this.now() - this.active.readAt >= this.activeKeyTtlMs) this.refreshInBackground();
      return this.active.id;
    }
    this.activeLoading ??= this.loadActiveKeyId().finally(() => {
      this.activeLoading = undefined;
    });
    return this.activeLoading;
  }

  /**
   * Loads (or creates) the active key and unwraps the most recent keys of the keyring, up to the
   * cache size, so that later seals and opens need neither the keyring nor the KEK. Call it at
   * startup.
   */
  async warmUp(): Promise<void> {
    await this.activeKeyId();
    const recent = (await this.keyring.list()).slice(-this.maxCachedKeys);
    await Promise.all(recent.map((record) => this.dataKey(record.id)));
  }

  /** Forgets the cached active key id, so the next seal reads the keyring (and waits for it). */
  refreshActiveKey(): void {
    this.active = undefined;
  }

  /**
   * Re-reads the active key without making anyone wait (errors are ignored: sealing continues
   * under the known key). The API calls it on a timer so that idle instances notice a rotation too.
   */
  refreshInBackground(): void {
    this.refreshing ??= this.loadActiveKeyId()
      .then(
        () => undefined,
        // Keep sealing under the known key; the next seal after the TTL tries again.
        () => undefined,
      )
      .finally(() => {
        this.refreshing = undefined;
      });
  }

  /**
   * Rotation: generates a new data key, stores it as the active key and retires the previous one
   * (which keeps opening the values sealed under it). Returns the new key's record.
   */
  async rotate(): Promise<DataKeyRecord> {
    const previous = await this.keyring.findActive();
    const record = await this.generateRecord();
    await this.keyring.rotateTo(record, previous?.id);
    this.active = { id: record.id, readAt: this.now() };
    return record;
  }

  private async loadActiveKeyId(): Promise<string> {
    let active = await this.keyring.findActive();
    active ??= await this.keyring.addFirstKey(await this.generateRecord());
    if (active.status !== 'active') {
      throw new KeyringConflictError('the keyring returned a retired key as active');
    }
    // Unwrap before switching, so no seal ever waits for the KEK.
    await this.dataKey(active.id);
    this.active = { id: active.id, readAt: this.now() };
    return active.id;
  }

  private async generateRecord(): Promise<DataKeyRecord> {
    const createdAt = new Date(this.now());
    const id = newKeyId(createdAt.getTime());
    const generated = await this.provider.generateDataKey(id);
    // Keep the fresh key in the cache so the first seals do not unwrap it again.
    this.remember(id, Promise.resolve(this.importKey(generated.plaintextKey, id)));
    return {
      id,
      wrappedKey: generated.wrappedKey,
      provider: this.provider.name,
      kekId: generated.kekId,
      status: 'active',
      createdAt,
    };
  }

  private async dataKey(id: string): Promise<DataKey> {
    let pending = this.cache.get(id);
    if (pending) {
      // Least recently used first: move the hit to the end.
      this.cache.delete(id);
      this.cache.set(id, pending);
    } else {
      pending = this.unwrap(id);
      this.remember(id, pending);
      // A failed unwrap (KMS unreachable, unknown key) must not stay cached.
      pending.catch(() => {
        if (this.cache.get(id) === pending) this.cache.delete(id);
      });
    }
    return { id, key: await pending };
  }

  private remember(id: string, pending: Promise<KeyObject>): void {
    this.cache.delete(id);
    this.cache.set(id, pending);
    while (this.cache.size > this.maxCachedKeys) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private async unwrap(id: string): Promise<KeyObject> {
    const record = await this.keyring.findById(id);
    if (!record) throw new UnknownDataKeyError(id);
    if (record.provider !== this.provider.name) {
      throw new DataKeyUnwrapError(
        `data key ${id} was wrapped by the ${record.provider} provider, not ${this.provider.name}`,
      );
    }
    const clear = await this.provider.unwrapDataKey({
      keyId: record.id,
      wrappedKey: record.wrappedKey,
      kekId: record.kekId,
    });
    return this.importKey(clear, id);
  }

  private importKey(clear: Buffer, id: string): KeyObject {
    try {
      if (clear.length !== DATA_KEY_BYTES) {
        throw new DataKeyUnwrapError(`data key ${id} is not ${DATA_KEY_BYTES} bytes`);
      }
      // createSecretKey copies the bytes into the KeyObject; the buffer is wiped below.
      return createSecretKey(clear);
    } finally {
      clear.fill(0);
    }
  }
}
