import Stripe from 'stripe';
import type { RedactedSecret } from '../../config/app-config';

/** How old a signed webhook may be (Stripe's default and the baseline: 300 s). */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Why a webhook was refused before anything read its content. */
export type WebhookRejection =
  'missing_signature' | 'invalid_signature' | 'stale_timestamp' | 'invalid_payload';

/** A webhook whose `Stripe-Signature` did not verify. */
export class WebhookSignatureRejected extends Error {
  constructor(readonly reason: WebhookRejection) {
    super(`stripe webhook rejected: ${reason}`);
    this.name = 'WebhookSignatureRejected';
  }
}

/**
 * Verifies Stripe webhooks with the SDK's `webhooks.constructEvent`: `Stripe-Signature` is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint's signing
 * secret>`; the SDK compares signatures in constant time (`crypto.timingSafeEqual`) and refuses a
 * timestamp older than {@link STRIPE_WEBHOOK_TOLERANCE_SECONDS}. It needs the raw bytes as
 * received: any re-serialised JSON would not verify. A refusal says whether the signature was
 * missing, wrong, or right but stale (re-checked without the time limit, for the security log).
 */
export class StripeWebhookVerifier {
  constructor(
    private readonly signingSecret: RedactedSecret,
    private readonly toleranceSeconds: number = STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  ) {
    if (!(toleranceSeconds > 0)) throw new Error('a webhook tolerance must be positive');
  }

  /** The event, parsed from `rawBody` once its signature verified; else throws the reason. */
  verify(rawBody: Buffer, signatureHeader: string | string[] | undefined): unknown {
    if (typeof signatureHeader !== 'string' || signatureHeader.length === 0) {
      throw new WebhookSignatureRejected('missing_signature');
    }
    if (signatureHeader.length > 4096) throw new WebhookSignatureRejected('invalid_signature');
    const secret = this.signingSecret.reveal();
    try {
      return Stripe.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        secret,
        this.toleranceSeconds,
      );
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
        // A genuine signature over a body that is not an event (the route only accepts JSON).
        throw new WebhookSignatureRejected('invalid_payload');
      }
      throw new WebhookSignatureRejected(this.signedButStale(rawBody, signatureHeader, secret));
    }
  }

  /** Tells a stale but genuine signature from a wrong one (tolerance 0 skips the time check). */
  private signedButStale(rawBody: Buffer, header: string, secret: string): WebhookRejection {
    try {
      Stripe.webhooks.signature?.verifyHeader(rawBody, header, secret, 0);
      return Stripe.webhooks.signature ? 'stale_timestamp' : 'invalid_signature';
    } catch {
      return 'invalid_signature';
    }
  }
}
