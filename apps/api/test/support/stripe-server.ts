import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Stripe-compatible HTTP server for tests, so the real `stripe` SDK runs over a real socket (no
 * mock of the SDK): the SDK is pointed at it with `STRIPE_API_BASE`. It implements what the shop
 * uses of the API with Stripe's wire formats — form-encoded requests (`metadata[orderId]=…`),
 * JSON objects and error envelopes, `Request-Id` headers, `Authorization: Bearer <secret key>` —
 * and its idempotency rules: the same `Idempotency-Key` with the same parameters replays the first
 * answer (`Idempotent-Replayed: true`), with other parameters it is a 400 `idempotency_error`.
 *
 * Endpoints: `POST /v1/payment_intents`, `GET /v1/payment_intents/:id`,
 * `POST /v1/payment_intents/:id/cancel`, `POST /v1/refunds`.
 *
 * Tests drive the rest of Stripe's part: {@link LocalStripe.setIntentState} moves an intent as a
 * customer's payment would (succeeded, declined, 3-D Secure…) and returns the event Stripe would
 * send; {@link LocalStripe.deliver} posts an event to a webhook URL signed with the real scheme
 * (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, computed here, not by the
 * SDK); {@link LocalStripe.failNext} injects 500s, slow or held answers and dropped connections.
 */

/** A PaymentIntent as Stripe's API returns it (the fields the shop or the SDK read). */
export interface StripePaymentIntentObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: { enabled: boolean } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: null;
  description: null;
  last_payment_error: {
    type: string;
    code: string;
    decline_code?: string;
    message: string;
  } | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: { type: string } | null;
  payment_method: string | null;
  payment_method_types: string[];
  status: string;
}

/** A refund as Stripe's API returns it. */
export interface StripeRefundObject {
  id: string;
  object: 'refund';
  amount: number;
  charge: string | null;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
}

/** An event as Stripe's webhooks carry it. */
export interface StripeEventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number;
  replayed: boolean;
}

/** An injected failure for the next matching requests. */
export type StripeFault =
  /** Answer this status with Stripe's `api_error` envelope, without executing the request. */
  | { kind: 'status'; status: number }
  /** Execute the request (and store its idempotent answer), but answer only after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Execute the request (and store its idempotent answer), but answer only once `until` settles. */
  | { kind: 'hold'; until: Promise<unknown> }
  /** Drop the connection without executing the request. */
  | { kind: 'reset' };

/** How {@link LocalStripe.deliver} signs and sends an event. */
export interface DeliveryOptions {
  /** Default: the endpoint set with {@link LocalStripe.setWebhookEndpoint}. */
  url?: string;
  /** Signing secret. Default: the server's webhook secret. */
  secret?: string;
  /** Signature timestamp in Unix seconds. Default: now. */
  timestamp?: number;
  /** Raw body to send instead of the event's JSON (signed as given unless `signature` is set). */
  body?: string;
  /** A `Stripe-Signature` value to send as is (or null to send none). */
  signature?: string | null;
  contentType?: string;
  /** Extra request headers (e.g. an `Origin`). */
  headers?: Record<string, string>;
}

/** What the webhook endpoint answered. */
export interface DeliveryResult {
  status: number;
  body: unknown;
}

/** How a test moves an intent (what the customer's payment did on Stripe's side). */
export type IntentTransition =
  'succeeded' | 'failed' | 'requires_action' | 'processing' | 'canceled';

/** A running local Stripe. */
export interface LocalStripe {
  /** `http://127.0.0.1:<port>` (for `STRIPE_API_BASE`). */
  url: string;
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  /** The API's environment for this server: provider, keys, base URL, quick timeout, no retry. */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  intents: ReadonlyMap<string, StripePaymentIntentObject>;
  refunds: ReadonlyMap<string, StripeRefundObject>;
  /** The next `times` requests (optionally only those to `path` prefix) fail as `fault` says. */
  failNext(fault: StripeFault, times?: number, path?: string): void;
  /** Moves an intent and returns the event Stripe would send about it (not delivered yet). */
  setIntentState(id: string, transition: IntentTransition): StripeEventObject;
  /** An event of any type about any object (e.g. `customer.created`, `charge.refunded`). */
  event(type: string, object: Record<string, unknown>): StripeEventObject;
  setWebhookEndpoint(url: string): void;
  /** Signs and posts an event (a redelivery is the same event sent again, freshly signed). */
  deliver(event: StripeEventObject, options?: DeliveryOptions): Promise<DeliveryResult>;
  /** The real scheme: `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<payload>")>`. */
  sign(payload: string, secret: string, timestamp: number): string;
  close(): Promise<void>;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function token(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
  ) {
    super(String(error.message));
  }
}

const invalid = (message: string, extra: Record<string, unknown> = {}) =>
  new ApiError(400, { type: 'invalid_request_error', message, ...extra });

/** Parses Stripe's form encoding (`a[b][c]=v`, `a[0]=v`) into nested objects. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = root;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        node[part] = value;
      } else {
        const next = (node[part] ??= {}) as Record<string, unknown>;
        node = next;
      }
    });
  }
  return root;
}

/** A canonical form of request parameters (order-independent), for idempotency comparisons. */
function fingerprint(method: string, path: string, params: Record<string, unknown>): string {
  const canonical = (value: unknown): unknown =>
    value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;
  return createHash('sha256')
    .update(JSON.stringify([method, path, canonical(params)]))
    .digest('hex');
}

function integer(value: unknown, name: string): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw invalid(
      value === undefined
        ? `Missing required param: ${name}.`
        : `Invalid integer: ${typeof value === 'string' ? value : typeof value}`,
      {
        code: value === undefined ? 'parameter_missing' : 'parameter_invalid_integer',
        param: name,
      },
    );
  }
  return Number(value);
}

/** Starts a local Stripe on 127.0.0.1 (a free port). */
export async function startLocalStripe(): Promise<LocalStripe> {
  const secretKey = `sk_test_${token(40)}`;
  const publishableKey = `pk_test_${token(40)}`;
  const webhookSecret = `whsec_${token(32)}`;
  const intents = new Map<string, StripePaymentIntentObject>();
  const refunds = new Map<string, StripeRefundObject>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const requests: RecordedRequest[] = [];
  const faults: { fault: StripeFault; path: string | undefined }[] = [];
  let webhookUrl: string | null = null;

  const refunded = (intentId: string) =>
    [...refunds.values()]
      .filter((r) => r.payment_intent === intentId)
      .reduce((sum, r) => sum + r.amount, 0);

  function findIntent(id: string, param: string): StripePaymentIntentObject {
    const intent = intents.get(id);
    if (!intent) {
      throw new ApiError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param,
        message: `No such payment_intent: '${id}'`,
      });
    }
    return intent;
  }

  function execute(method: string, path: string, params: Record<string, unknown>): unknown {
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = integer(params.amount, 'amount');
      const currency = params.currency;
      if (typeof currency !== 'string' || !/^[a-z]{3}$/.test(currency)) {
        throw invalid('Missing required param: currency.', {
          code: 'parameter_missing',
          param: 'currency',
        });
      }
      if (amount < 50) {
        throw invalid('Amount must be at least €0.50 eur', {
          code: 'amount_too_small',
          param: 'amount',
        });
      }
      const id = `pi_${token(24)}`;
      const automatic = params.automatic_payment_methods as { enabled?: string } | undefined;
      const intent: StripePaymentIntentObject = {
        id,
        object: 'payment_intent',
        amount,
        amount_capturable: 0,
        amount_received: 0,
        automatic_payment_methods: automatic ? { enabled: automatic.enabled === 'true' } : null,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: 'automatic',
        client_secret: `${id}_secret_${token(25)}`,
        confirmation_method: 'automatic',
        created: nowSeconds(),
        currency,
        customer: null,
        description: null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: { ...((params.metadata as Record<string, string> | undefined) ?? {}) },
        next_action: null,
        payment_method: null,
        payment_method_types: ['card'],
        status: 'requires_payment_method',
      };
      intents.set(id, intent);
      return intent;
    }
    const retrieve = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && retrieve) return findIntent(decodeURIComponent(retrieve[1]!), 'intent');
    const cancel = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && cancel) {
      const intent = findIntent(decodeURIComponent(cancel[1]!), 'intent');
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        throw invalid(
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
          { code: 'payment_intent_unexpected_state' },
        );
      }
      Object.assign(intent, {
        status: 'canceled',
        canceled_at: nowSeconds(),
        cancellation_reason: (params.cancellation_reason as string | undefined) ?? null,
        next_action: null,
      });
      return intent;
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intentId = params.payment_intent;
      if (typeof intentId !== 'string') {
        throw invalid('Missing required param: payment_intent.', {
          code: 'parameter_missing',
          param: 'payment_intent',
        });
      }
      const intent = findIntent(intentId, 'payment_intent');
      if (intent.status !== 'succeeded') {
        throw invalid('This PaymentIntent does not have a successful charge to refund.', {
          code: 'payment_intent_unexpected_state',
        });
      }
      const remaining = intent.amount_received - refunded(intent.id);
      if (remaining === 0) {
        throw invalid('Charge has already been refunded.', { code: 'charge_already_refunded' });
      }
      const amount = params.amount === undefined ? remaining : integer(params.amount, 'amount');
      if (amount > remaining) {
        throw invalid(
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
          { code: 'amount_too_large', param: 'amount' },
        );
      }
      const refund: StripeRefundObject = {
        id: `re_${token(24)}`,
        object: 'refund',
        amount,
        charge: intent.latest_charge,
        created: nowSeconds(),
        currency: intent.currency,
        metadata: { ...((params.metadata as Record<string, string> | undefined) ?? {}) },
        payment_intent: intent.id,
        reason: (params.reason as string | undefined) ?? null,
        status: 'succeeded',
      };
      refunds.set(refund.id, refund);
      return refund;
    }
    throw new ApiError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}).`,
    });
  }

  function send(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body, null, 2);
    response.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_${token(14)}`,
      'stripe-version': '2026-10-28.endive',
      ...headers,
    });
    response.end(text);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : null;
    const record = (status: number, replayed = false) =>
      requests.push({ method, path, idempotencyKey, status, replayed });

    const faultIndex = faults.findIndex((f) => f.path === undefined || path.startsWith(f.path));
    const fault = faultIndex >= 0 ? faults.splice(faultIndex, 1)[0]!.fault : undefined;
    if (fault?.kind === 'reset') {
      record(0);
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      record(fault.status);
      send(response, fault.status, {
        error: { type: 'api_error', message: 'An unknown error occurred (injected).' },
      });
      return;
    }

    if (request.headers.authorization !== `Bearer ${secretKey}`) {
      record(401);
      send(response, 401, {
        error: {
          type: 'invalid_request_error',
          message: 'Invalid API Key provided: sk_test_****',
        },
      });
      return;
    }
    const params =
      method === 'GET'
        ? parseStripeForm(url.search.slice(1))
        : parseStripeForm(Buffer.concat(chunks).toString('utf8'));
    const print = fingerprint(method, path, params);

    let status: number;
    let body: unknown;
    let replayed = false;
    const previous = idempotencyKey && method === 'POST' ? idempotent.get(idempotencyKey) : null;
    if (previous && previous.fingerprint !== print) {
      status = 400;
      body = {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        },
      };
    } else if (previous) {
      ({ status, body } = previous);
      replayed = true;
    } else {
      try {
        body = structuredClone(execute(method, path, params));
        status = 200;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        status = error.status;
        body = { error: error.error };
      }
      // Stripe saves the result of every request that began executing (errors included).
      if (idempotencyKey && method === 'POST') {
        idempotent.set(idempotencyKey, { fingerprint: print, status, body });
      }
    }
    record(status, replayed);
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'hold') await fault.until.catch(() => undefined);
    if (response.destroyed || request.socket.destroyed) return;
    send(
      response,
      status,
      body,
      replayed
        ? { 'idempotent-replayed': 'true' }
        : idempotencyKey
          ? { 'idempotency-key': idempotencyKey }
          : {},
    );
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent)
        send(response, 500, { error: { type: 'api_error', message: 'bug' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  function event(type: string, object: Record<string, unknown>): StripeEventObject {
    return {
      id: `evt_${token(24)}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  function sign(payload: string, secret: string, timestamp: number): string {
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
    return `t=${timestamp},v1=${signature}`;
  }

  return {
    url,
    secretKey,
    publishableKey,
    webhookSecret,
    requests,
    intents,
    refunds,
    env: (overrides = {}) => ({
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_PUBLISHABLE_KEY: publishableKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_BASE: url,
      STRIPE_TIMEOUT_MS: '2000',
      STRIPE_MAX_NETWORK_RETRIES: '0',
      ...overrides,
    }),
    failNext(fault, times = 1, path) {
      for (let i = 0; i < times; i++) faults.push({ fault, path });
    },
    setIntentState(id, transition) {
      const intent = findIntent(id, 'intent');
      const charge = `ch_${token(24)}`;
      let type: string;
      switch (transition) {
        case 'succeeded':
          Object.assign(intent, {
            status: 'succeeded',
            amount_received: intent.amount,
            latest_charge: charge,
            payment_method: `pm_${token(24)}`,
            last_payment_error: null,
            next_action: null,
          });
          type = 'payment_intent.succeeded';
          break;
        case 'failed':
          Object.assign(intent, {
            status: 'requires_payment_method',
            latest_charge: charge,
            last_payment_error: {
              type: 'card_error',
              code: 'card_declined',
              decline_code: 'insufficient_funds',
              message: 'Your card has insufficient funds.',
            },
            next_action: null,
          });
          type = 'payment_intent.payment_failed';
          break;
        case 'requires_action':
          Object.assign(intent, {
            status: 'requires_action',
            next_action: { type: 'use_stripe_sdk' },
          });
          type = 'payment_intent.requires_action';
          break;
        case 'processing':
          Object.assign(intent, { status: 'processing', next_action: null });
          type = 'payment_intent.processing';
          break;
        case 'canceled':
          Object.assign(intent, {
            status: 'canceled',
            canceled_at: nowSeconds(),
            cancellation_reason: 'abandoned',
            next_action: null,
          });
          type = 'payment_intent.canceled';
          break;
      }
      return event(type, intent as unknown as Record<string, unknown>);
    },
    event,
    setWebhookEndpoint(endpoint) {
      webhookUrl = endpoint;
    },
    sign,
    deliver(evt, options = {}) {
      const target = options.url ?? webhookUrl;
      if (!target) throw new Error('no webhook endpoint: call setWebhookEndpoint first');
      // Stripe sends pretty-printed JSON: a verifier that re-serialises the parsed body fails.
      const payload = options.body ?? JSON.stringify(evt, null, 2);
      const signature =
        options.signature === undefined
          ? sign(payload, options.secret ?? webhookSecret, options.timestamp ?? nowSeconds())
          : options.signature;
      const headers: Record<string, string> = {
        'content-type': options.contentType ?? 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(payload)),
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        accept: '*/*; q=0.5, application/xml',
        ...(signature === null ? {} : { 'stripe-signature': signature }),
        ...options.headers,
      };
      return new Promise<DeliveryResult>((resolve, reject) => {
        const req = httpRequest(target, { method: 'POST', headers }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
