import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import {
  PASSKEY_TRANSPORTS,
  type PasskeyAssertionCredential,
  type PasskeyCreationOptions,
  type PasskeyRegistrationCredential,
  type PasskeyRequestOptions,
  type PasskeyTransport,
} from '@storefront/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PASSKEY_CEREMONY_TIMEOUT_MS } from './passkey-challenges.service';

/** A credential the RP knows, for `allowCredentials`/`excludeCredentials`. */
export interface KnownCredential {
  credentialId: string;
  transports: readonly string[];
}

/** What a verified registration yields, in our terms. */
export interface VerifiedRegistration {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: PasskeyTransport[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  aaguid: string;
}

/** The outcome of checking an assertion. `counter`: the signature counter did not move forward. */
export type AssertionVerdict =
  { ok: true; signCount: number; backedUp: boolean } | { ok: false; reason: 'invalid' | 'counter' };

/** Known transports only (browsers may add new ones; we keep what we can describe). */
export function knownTransports(values: readonly string[] | undefined): PasskeyTransport[] {
  return (values ?? []).filter((t): t is PasskeyTransport =>
    (PASSKEY_TRANSPORTS as readonly string[]).includes(t),
  );
}

/** The signature counter of authenticator data (bytes 33..36, big-endian), if it parses. */
function counterOf(authenticatorData: string): number | undefined {
  const bytes = Buffer.from(authenticatorData, 'base64url');
  return bytes.length >= 37 ? bytes.readUInt32BE(33) : undefined;
}

/**
 * The relying party: our only door to `@simplewebauthn/server` (vendor shapes in, our shapes
 * out). It builds ceremony options and verifies the authenticator's answers against the
 * configured RP ID (`WEBAUTHN_RP_ID`, checked through the SHA-256 RP ID hash in the authenticator
 * data) and origins (the `PUBLIC_ORIGINS` on that domain, checked in the client data), the
 * server-held challenge, the ceremony type, user presence, user verification when required, the
 * signature, and the signature counter. It never throws for a bad answer: the library's errors
 * (which quote attacker-controlled values) become a verdict and are never logged.
 */
@Injectable()
export class WebauthnRelyingParty {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get rp() {
    return this.config.identity.webauthn;
  }

  /**
   * Options for `navigator.credentials.create()`: a discoverable credential (a passkey usable
   * for passwordless sign-in), user verification required, no attestation (we do not restrict
   * authenticator models, and "none" keeps users' device details private).
   */
  async creationOptions(input: {
    challenge: Uint8Array<ArrayBuffer>;
    userHandle: string;
    userName: string;
    userDisplayName: string;
    exclude: readonly KnownCredential[];
  }): Promise<PasskeyCreationOptions> {
    const options = await generateRegistrationOptions({
      rpName: this.rp.rpName,
      rpID: this.rp.rpId,
      userName: input.userName,
      userID: Uint8Array.from(Buffer.from(input.userHandle, 'base64url')),
      userDisplayName: input.userDisplayName,
      challenge: input.challenge,
      timeout: PASSKEY_CEREMONY_TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: input.exclude.map((c) => ({
        id: c.credentialId,
        transports: knownTransports(c.transports),
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    return {
      challenge: options.challenge,
      rp: { name: options.rp.name, id: options.rp.id ?? this.rp.rpId },
      user: options.user,
      pubKeyCredParams: options.pubKeyCredParams.map((p) => ({ alg: p.alg, type: 'public-key' })),
      timeout: options.timeout ?? PASSKEY_CEREMONY_TIMEOUT_MS,
      attestation: options.attestation ?? 'none',
      excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({
        id: c.id,
        type: 'public-key' as const,
        transports: knownTransports(c.transports),
      })),
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
      extensions: { credProps: true },
    };
  }

  /**
   * Options for `navigator.credentials.get()`. An empty `allow` asks for a discoverable
   * credential (passwordless sign-in).
   */
  async requestOptions(input: {
    challenge: Uint8Array<ArrayBuffer>;
    allow: readonly KnownCredential[];
    userVerification: 'required' | 'discouraged';
  }): Promise<PasskeyRequestOptions> {
    const options = await generateAuthenticationOptions({
      rpID: this.rp.rpId,
      challenge: input.challenge,
      timeout: PASSKEY_CEREMONY_TIMEOUT_MS,
      userVerification: input.userVerification,
      allowCredentials: input.allow.map((c) => ({
        id: c.credentialId,
        transports: knownTransports(c.transports),
      })),
    });
    return {
      challenge: options.challenge,
      rpId: options.rpId ?? this.rp.rpId,
      allowCredentials: (options.allowCredentials ?? []).map((c) => ({
        id: c.id,
        type: 'public-key' as const,
        transports: knownTransports(c.transports),
      })),
      timeout: options.timeout ?? PASSKEY_CEREMONY_TIMEOUT_MS,
      userVerification: input.userVerification,
    };
  }

  /**
   * Verifies a registration (`webauthn.create`) against the expected challenge. Null when
   * anything does not check out.
   */
  async verifyRegistration(
    credential: PasskeyRegistrationCredential,
    expectedChallenge: string,
  ): Promise<VerifiedRegistration | null> {
    try {
      const result = await verifyRegistrationResponse({
        response: credential,
        expectedChallenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.rpId,
        requireUserPresence: true,
        requireUserVerification: true,
      });
      if (!result.verified) return null;
      const info = result.registrationInfo;
      // The id the browser reports must be the one inside the signed authenticator data.
      if (info.credential.id !== credential.id) return null;
      return {
        credentialId: info.credential.id,
        publicKey: info.credential.publicKey,
        signCount: info.credential.counter,
        transports: knownTransports(credential.response.transports),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
      };
    } catch {
      return null;
    }
  }

  /**
   * Verifies an assertion (`webauthn.get`) made with `stored` against the expected challenge.
   * Following the library (and WebAuthn §6.1.1), a signature counter that does not increase
   * while either value is non-zero is refused: a sign of a cloned authenticator.
   */
  async verifyAssertion(
    credential: PasskeyAssertionCredential,
    expectedChallenge: string,
    stored: { credentialId: string; publicKey: Uint8Array; signCount: number },
    requireUserVerification: boolean,
  ): Promise<AssertionVerdict> {
    if (credential.id !== stored.credentialId) return { ok: false, reason: 'invalid' };
    try {
      const result = await verifyAuthenticationResponse({
        response: {
          ...credential,
          response: {
            clientDataJSON: credential.response.clientDataJSON,
            authenticatorData: credential.response.authenticatorData,
            signature: credential.response.signature,
            ...(credential.response.userHandle
              ? { userHandle: credential.response.userHandle }
              : {}),
          },
        },
        expectedChallenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.rpId,
        credential: {
          id: stored.credentialId,
          publicKey: Uint8Array.from(stored.publicKey),
          counter: stored.signCount,
        },
        requireUserVerification,
      });
      if (!result.verified) return { ok: false, reason: 'invalid' };
      return {
        ok: true,
        signCount: result.authenticationInfo.newCounter,
        backedUp: result.authenticationInfo.credentialBackedUp,
      };
    } catch {
      const counter = counterOf(credential.response.authenticatorData);
      const regressed =
        counter !== undefined &&
        (counter > 0 || stored.signCount > 0) &&
        counter <= stored.signCount;
      return { ok: false, reason: regressed ? 'counter' : 'invalid' };
    }
  }
}
