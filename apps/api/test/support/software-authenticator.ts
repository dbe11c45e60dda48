import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  PasskeyAssertionCredential,
  PasskeyCreationOptions,
  PasskeyRegistrationCredential,
  PasskeyRequestOptions,
} from '@storefront/contracts';

/*
 * A WebAuthn authenticator in software, for tests: it does what a browser and a platform
 * authenticator do together, with node:crypto. Registration builds a real attestation object
 * ("none" format: CBOR map of fmt, attStmt, authData) whose authenticator data carries the RP ID
 * hash, the flags, the counter and the attested credential (AAGUID, credential id, COSE ES256
 * public key); assertions sign `authenticatorData || SHA-256(clientDataJSON)` with the
 * credential's P-256 key (DER signature, as authenticators send it). Every input an attacker
 * could bend (origin, RP ID, challenge, flags, counter, user handle, key) can be overridden.
 */

/** Authenticator data flags (WebAuthn §6.1). */
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

/** Minimal CBOR (RFC 8949) encoder: unsigned/negative integers, byte and text strings, maps. */
type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

/** Encodes a value as CBOR. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') {
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

/** A credential held by the authenticator. */
export interface SoftwareCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  /** COSE_Key of the public key (EC2, ES256, P-256). */
  publicKeyCose: Buffer;
  signCount: number;
}

/** What a test may bend in one ceremony. */
export interface CeremonyOverrides {
  /** Origin written into clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** RP ID whose hash goes into the authenticator data (default: the options' RP ID). */
  rpId?: string;
  /** Challenge written into clientDataJSON (default: the options' challenge). */
  challenge?: string;
  /** clientDataJSON `type` (default: `webauthn.create` / `webauthn.get`). */
  type?: string;
  userPresent?: boolean;
  userVerified?: boolean;
}

/** What a test may bend in one assertion. */
export interface AssertionOverrides extends CeremonyOverrides {
  /** Which credential to use (default: the first allowed one this authenticator holds). */
  credentialId?: string;
  /** The counter to report (default: the next value, or 0 for a counter-less authenticator). */
  signCount?: number;
  /** The user handle to report (default: the credential's; null: none). */
  userHandle?: string | null;
  /** Sign with this key instead of the credential's (a forged assertion). */
  signingKey?: KeyObject;
}

/** Settings of a {@link SoftwareAuthenticator}. */
export interface SoftwareAuthenticatorOptions {
  /** The web origin the "browser" runs on (default `http://localhost:3000`, a test public origin). */
  origin?: string;
  /** Whether it can verify the user (PIN, biometrics). Default true. */
  userVerification?: boolean;
  /** `increment` (a security key) or `zero` (a synced passkey that keeps no counter). */
  counter?: 'increment' | 'zero';
  /** Backup eligible and backed up (a synced passkey). Default false. */
  synced?: boolean;
}

/** A software WebAuthn authenticator plus the client side of the browser. */
export class SoftwareAuthenticator {
  readonly credentials = new Map<string, SoftwareCredential>();
  readonly origin: string;
  private readonly userVerification: boolean;
  private readonly counter: 'increment' | 'zero';
  private readonly synced: boolean;

  constructor(options: SoftwareAuthenticatorOptions = {}) {
    this.origin = options.origin ?? 'http://localhost:3000';
    this.userVerification = options.userVerification ?? true;
    this.counter = options.counter ?? 'increment';
    this.synced = options.synced ?? false;
  }

  private flags(overrides: CeremonyOverrides, extra: number): number {
    const up = overrides.userPresent ?? true;
    const uv = overrides.userVerified ?? this.userVerification;
    return (up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0) | (this.synced ? FLAG_BE | FLAG_BS : 0) | extra;
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): Buffer {
    return Buffer.from(
      JSON.stringify({
        type: overrides.type ?? type,
        challenge: overrides.challenge ?? challenge,
        origin: overrides.origin ?? this.origin,
        crossOrigin: false,
      }),
      'utf8',
    );
  }

  /** `navigator.credentials.create()`: a new ES256 credential, "none" attestation. */
  register(
    options: PasskeyCreationOptions,
    overrides: CeremonyOverrides = {},
  ): PasskeyRegistrationCredential {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const publicKeyCose = cbor(
      new Map<number, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const credentialId = randomBytes(32);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const counter = Buffer.alloc(4);
    const rpId = overrides.rpId ?? options.rp.id;
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(overrides, FLAG_AT)]),
      counter,
      Buffer.alloc(16), // AAGUID: none disclosed
      idLength,
      credentialId,
      publicKeyCose,
    ]);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const id = b64url(credentialId);
    this.credentials.set(id, {
      id,
      rpId: options.rp.id,
      userHandle: options.user.id,
      privateKey,
      publicKeyCose,
      signCount: 0,
    });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, overrides)),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: { credProps: { rk: true } },
    };
  }

  /** `navigator.credentials.get()`: an assertion by one of the allowed (or any) credentials. */
  assert(
    options: PasskeyRequestOptions,
    overrides: AssertionOverrides = {},
  ): PasskeyAssertionCredential {
    const allowed = options.allowCredentials.map((c) => c.id);
    const credential =
      (overrides.credentialId ? this.credentials.get(overrides.credentialId) : undefined) ??
      [...this.credentials.values()].find(
        (c) => c.rpId === options.rpId && (allowed.length === 0 || allowed.includes(c.id)),
      );
    if (!credential) throw new Error('the authenticator holds no matching credential');
    const signCount =
      overrides.signCount ?? (this.counter === 'zero' ? 0 : credential.signCount + 1);
    credential.signCount = Math.max(credential.signCount, signCount);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(signCount);
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? options.rpId),
      Buffer.from([this.flags(overrides, 0)]),
      counter,
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      overrides.signingKey ?? credential.privateKey,
    );
    const userHandle =
      overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
