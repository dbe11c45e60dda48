import type { KeyObject } from 'node:crypto';
import { createSecretKey } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { developmentKey } from '@storefront/crypto';
import { z } from 'zod';

/**
 * The API's configuration, parsed once from the environment at boot.
 *
 * Every variable is documented in `.env.example` (kept in step by a test). A missing or malformed
 * value stops the process with a message naming the variable; values of variables marked secret
 * are never printed. With `NODE_ENV=production` the process refuses development defaults
 * (embedded database, in-memory stores).
 */

const rateLimit = z
  .string()
  .regex(/^\d{1,6}\/\d{1,6}$/, 'must look like LIMIT/SECONDS, e.g. 100/60')
  .transform((v) => {
    const [limit, seconds] = v.split('/').map(Number) as [number, number];
    return { limit, ttlMs: seconds * 1000 };
  })
  .refine((v) => v.limit > 0 && v.ttlMs > 0, 'limit and seconds must be positive');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${protocols.join(' or ')}`,
  );

/** A secret key given as text: at least 32 characters (e.g. `openssl rand -base64 32`). */
const secretKey = z
  .string()
  .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)');

/** Development-only audit chain key: public (it is in the source), so production refuses it. */
export const DEVELOPMENT_AUDIT_HMAC_KEY = 'development-only-audit-hmac-key--not-a-secret';
/** Development-only client pseudonym key: public, refused in production. */
export const DEVELOPMENT_LOG_PSEUDONYM_KEY = 'development-only-log-pseudonym-key--not-a-secret';

/** A 256-bit key given as standard base64 (`openssl rand -base64 32`). */
const base64Key32 = z
  .string()
  .refine(
    (v) => /^[A-Za-z0-9+/]{43}=$/.test(v) && Buffer.from(v, 'base64').length === 32,
    'must be 32 random bytes in base64 (openssl rand -base64 32)',
  );

/**
 * A credential kept out of logs and dumps: it prints as `[redacted]` (util.inspect, JSON, string
 * conversion); `reveal()` hands the value to the one client that needs it.
 */
export class RedactedSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself, for the client that authenticates with it. Never log the result. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

/** Environment variables, their parsing and defaults. Keep `.env.example` in step. */
export const ENV_SCHEMA = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3333),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY_HOPS: int(0, 10).default(0),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(100 * 1024),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),

  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  MIGRATION_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5_000),
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
  DATABASE_AUTH: z.enum(['password', 'iam']).default('password'),
  EMBEDDED_DATA_DIR: z.string().min(1).default('.data/pglite'),
  SEED_ON_START: bool.default(true),

  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ -')
    .default('shop:'),

  SESSION_IDLE_TIMEOUT_SECONDS: int(60, 86_400).default(1_800),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: int(300, 7 * 86_400).default(43_200),
  STAFF_SESSION_IDLE_TIMEOUT_SECONDS: int(60, 86_400).default(900),
  STAFF_SESSION_ABSOLUTE_TIMEOUT_SECONDS: int(300, 7 * 86_400).default(28_800),

  PUBLIC_ORIGINS: z
    .string()
    .default(
      'http://127.0.0.1:3333,http://localhost:3333,http://127.0.0.1:3000,http://localhost:3000',
    )
    .transform((v) => v.split(',').map((o) => o.trim()))
    .pipe(z.array(url(['http:', 'https:']).transform((o) => new URL(o).origin)).min(1)),
  STEP_UP_MAX_AGE_SECONDS: int(30, 3_600).default(300),
  LOGIN_LOCKOUT_THRESHOLD: int(3, 100).default(5),
  LOGIN_LOCKOUT_SECONDS: int(1, 86_400).default(900),
  LOGIN_IP_FAILURE_LIMIT: int(5, 10_000).default(50),
  PASSWORD_RESET_TTL_SECONDS: int(300, 86_400).default(3_600),
  EMAIL_VERIFICATION_TTL_SECONDS: int(300, 7 * 86_400).default(86_400),
  WEBAUTHN_RP_ID: z
    .string()
    .regex(
      /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      'must be a lower-case domain name such as shop.example (not a URL, not an IP address)',
    )
    .optional(),
  WEBAUTHN_RP_NAME: z.string().trim().min(1).max(100).optional(),

  AUDIT_HMAC_KEY: secretKey.default(DEVELOPMENT_AUDIT_HMAC_KEY),
  AUDIT_HMAC_PREVIOUS_KEYS: z
    .string()
    .transform((v) => v.split(',').map((k) => k.trim()))
    .pipe(z.array(secretKey))
    .optional(),
  LOG_PSEUDONYM_KEY: secretKey.default(DEVELOPMENT_LOG_PSEUDONYM_KEY),

  SHOP_NAME: z.string().trim().min(1).max(100).default('Storefront'),
  PASSWORD_ARGON2_MEMORY_KIB: int(7_168, 4_194_304).default(19_456),
  PASSWORD_ARGON2_ITERATIONS: int(1, 100).default(2),
  PASSWORD_ARGON2_PARALLELISM: int(1, 64).default(1),
  PASSWORD_HASH_CONCURRENCY: int(1, 64).optional(),
  PASSWORD_HASH_QUEUE_LIMIT: int(0, 10_000).default(32),
  PASSWORD_HIBP_ENABLED: bool.default(false),
  PASSWORD_HIBP_URL: url(['https:', 'http:']).default('https://api.pwnedpasswords.com'),
  PASSWORD_HIBP_TIMEOUT_MS: int(100, 10_000).default(1_500),

  RATE_LIMIT_DEFAULT: rateLimit.prefault('300/60'),
  RATE_LIMIT_SEARCH: rateLimit.prefault('60/60'),
  RATE_LIMIT_AUTH: rateLimit.prefault('10/60'),
  RATE_LIMIT_CHECKOUT: rateLimit.prefault('20/60'),
  RATE_LIMIT_CSP_REPORT: rateLimit.prefault('20/60'),

  CART_MAX_QUANTITY: int(1, 999).default(10),
  CART_MAX_LINES: int(1, 200).default(50),
  CART_GUEST_RETENTION_DAYS: int(1, 365).default(30),
  CHECKOUT_RESERVATION_TTL_SECONDS: int(60, 86_400).default(1800),
  ORDER_SWEEP_INTERVAL_MS: int(50, 3_600_000).default(30_000),

  CATALOGUE_CACHE_MAX_AGE_SECONDS: int(0, 3_600).default(60),
  CATALOGUE_CACHE_TTL_SECONDS: int(1, 86_400).default(300),

  FIELD_ENCRYPTION_PROVIDER: z.enum(['local', 'kms']).default('local'),
  FIELD_ENCRYPTION_LOCAL_KEK: base64Key32.optional(),
  FIELD_ENCRYPTION_KMS_KEY_ID: z
    .string()
    .regex(
      /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[A-Za-z0-9/_-]{1,256}|alias\/[A-Za-z0-9/_-]{1,250}|(?:mrk-)?[0-9a-f-]{32,36})$/,
      'must be a KMS key id, key ARN, alias name (alias/...) or alias ARN',
    )
    .optional(),
  BLIND_INDEX_KEY: base64Key32.optional(),

  PUBLIC_BASE_URL: url(['http:', 'https:']).optional(),
  MAIL_TRANSPORT: z.enum(['smtp', 'file']).optional(),
  MAIL_FROM: z
    .string()
    .regex(
      /^(?:[^\r\n<>"@]{1,100} <[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
      'must be an address, optionally after a display name: Shop <no-reply@shop.example>',
    )
    .optional(),
  MAIL_DIR: z.string().min(1).default('.data/mail'),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SMTP_TLS: z.enum(['required', 'opportunistic']).optional(),
  SMTP_TLS_CA_FILE: z.string().min(1).optional(),
  MAIL_WORKER: z.enum(['inline', 'off']).default('inline'),
  MAIL_MAX_ATTEMPTS: int(1, 50).default(10),
  MAIL_RETRY_BASE_DELAY_MS: int(10, 3_600_000).default(30_000),
  MAIL_SWEEP_INTERVAL_MS: int(50, 3_600_000).default(30_000),

  PAYMENT_PROVIDER: z.enum(['stripe', 'development']).optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(
      /^(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{16,247}$/,
      'must be a Stripe secret or restricted key (sk_live_…, rk_live_…)',
    )
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,250}$/, 'must be a webhook signing secret (whsec_…)')
    .optional(),
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(?:test|live)_[A-Za-z0-9]{16,247}$/, 'must be a publishable key (pk_live_…)')
    .optional(),
  STRIPE_API_BASE: url(['http:', 'https:']).optional(),
  STRIPE_TIMEOUT_MS: int(100, 120_000).default(10_000),
  STRIPE_MAX_NETWORK_RETRIES: int(0, 5).default(2),
});

/** Variables whose values are credentials (URLs carry passwords): never logged or echoed. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'DATABASE_URL',
  'MIGRATION_DATABASE_URL',
  'REDIS_URL',
  'FIELD_ENCRYPTION_LOCAL_KEK',
  'BLIND_INDEX_KEY',
  'SMTP_URL',
  'AUDIT_HMAC_KEY',
  'AUDIT_HMAC_PREVIOUS_KEYS',
  'LOG_PSEUDONYM_KEY',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
]);

type Env = z.output<typeof ENV_SCHEMA>;

/** A named rate limit: at most `limit` requests per `ttlMs` window. */
export interface RateLimitRule {
  limit: number;
  ttlMs: number;
}

/** argon2id cost parameters (memory in KiB, passes, lanes). */
export interface Argon2Parameters {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/** The typed configuration every module reads (through the `APP_CONFIG` provider). */
export interface AppConfig {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    trustProxyHops: number;
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
  };
  log: { level: Env['LOG_LEVEL'] };
  database:
    | {
        kind: 'postgres';
        url: string;
        migrationUrl: string;
        poolSize: number;
        statementTimeoutMs: number;
        ssl: Env['DATABASE_SSL'];
        sslCaFile: string | undefined;
        /**
         * `password`: the URLs carry the password. `iam`: they carry none; each new connection
         * signs a 15-minute IAM authentication token (RDS Proxy / Aurora IAM auth).
         */
        auth: Env['DATABASE_AUTH'];
      }
    | { kind: 'embedded'; dataDir: string; seedOnStart: boolean };
  redis: { kind: 'redis'; url: string; keyPrefix: string } | { kind: 'memory'; keyPrefix: string };
  session: { idleTimeoutSeconds: number; absoluteTimeoutSeconds: number };
  /** Identity: staff timeouts, same-origin allowlist for state changes, login throttling. */
  identity: {
    staffSession: { idleTimeoutSeconds: number; absoluteTimeoutSeconds: number };
    /** Origins (scheme://host:port) allowed to send state-changing browser requests. */
    publicOrigins: string[];
    stepUpMaxAgeSeconds: number;
    lockoutThreshold: number;
    lockoutSeconds: number;
    ipFailureLimit: number;
    passwordResetTtlSeconds: number;
    emailVerificationTtlSeconds: number;
    /**
     * WebAuthn relying party: the RP ID passkeys are bound to (the shop's registrable domain), the
     * name authenticators show, and the origins whose ceremonies are accepted (the public origins
     * on that domain).
     */
    webauthn: { rpId: string; rpName: string; origins: string[] };
  };
  /** Audit trail: the hash-chain keys (current, then older ones) and the client pseudonym key. */
  audit: { hmacKey: string; previousHmacKeys: string[]; pseudonymKey: string };
  /** The shop's display name: TOTP issuer, and a word refused inside passwords. */
  shopName: string;
  /** Password hashing, its concurrency cap, and the optional online breach check. */
  credentials: {
    /** Changing these makes stored hashes report `needsRehash` at their next successful sign-in. */
    argon2: Argon2Parameters;
    /** Hashes computed at once (argon2 runs on libuv's thread pool, 4 threads by default). */
    hashConcurrency: number;
    /** Hashes allowed to wait for a slot; beyond that, callers get 503 at once. */
    hashQueueLimit: number;
    /** Have I Been Pwned range API (k-anonymity); off by default, fails open to the offline list. */
    hibp: { enabled: boolean; baseUrl: string; timeoutMs: number };
  };
  rateLimits: {
    default: RateLimitRule;
    search: RateLimitRule;
    auth: RateLimitRule;
    checkout: RateLimitRule;
    /** `POST /api/csp-reports`: violation reports browsers send (each one is a log line). */
    'csp-report': RateLimitRule;
  };
  catalogueCache: { maxAgeSeconds: number; ttlSeconds: number };
  /** Cart bounds: units per line (1..maxQuantity) and distinct lines a shopper may add. */
  cart: { maxQuantity: number; maxLines: number; guestRetentionDays: number };
  /**
   * Orders: how long checkout holds stock for an unpaid order, and how often the in-process sweeper
   * releases expired reservations (cancelling their orders and PaymentIntents).
   */
  orders: { reservationTtlSeconds: number; sweepIntervalMs: number };
  /**
   * Field-level encryption of personal data (`privacy/encryption`): who wraps the data keys, and
   * the blind-index key (distinct from every encryption key). Keys are `KeyObject`s, which never
   * print their bytes.
   */
  fieldEncryption: {
    provider: { kind: 'local'; kek: KeyObject } | { kind: 'kms'; keyId: string };
    blindIndexKey: KeyObject;
    /** A public development key is in use (never in production). */
    developmentKeys: boolean;
  };
  /** Transactional email: outbox → relay → queue → worker → transport (see `mail/`). */
  mail: {
    transport:
      | {
          kind: 'smtp';
          url: string;
          tls: 'required' | 'opportunistic';
          caFile: string | undefined;
        }
      | { kind: 'file'; dir: string }
      /**
       * This process sends nothing: the API with `MAIL_WORKER=off` and no `SMTP_URL` only writes
       * the outbox and enqueues, and a `cli.js worker` process sends with its own settings.
       */
      | { kind: 'none' };
    from: string;
    /** Storefront base URL (scheme, host, optional path; no trailing slash) for links in emails. */
    publicBaseUrl: string;
    /** `inline`: this process sends; `off`: it only enqueues (a `cli.js worker` process sends). */
    worker: Env['MAIL_WORKER'];
    maxAttempts: number;
    retryBaseDelayMs: number;
    sweepIntervalMs: number;
  };
  /** Who takes payments (`payments/`): Stripe with its keys, or the development simulator. */
  payments: PaymentsConfig;
  /** OpenAPI description and docs page are served outside production only. */
  openApiEnabled: boolean;
}

/**
 * Payments: Stripe (keys, optional API address for tests, timeout and retries of its SDK) or the
 * development provider (simulated payments; production refuses it).
 */
export type PaymentsConfig =
  | { provider: 'development'; publishableKey: null }
  | {
      provider: 'stripe';
      /** `test` or `live`, from the key prefixes (which must agree); production is live only. */
      mode: 'test' | 'live';
      secretKey: RedactedSecret;
      webhookSecret: RedactedSecret;
      /** Handed to the browser for Stripe.js (not a secret). */
      publishableKey: string;
      /** Where the SDK sends requests: Stripe's own API (null) or, in tests, a local server. */
      api: { protocol: 'http' | 'https'; host: string; port: number } | null;
      timeoutMs: number;
      maxNetworkRetries: number;
    };

/** Raised when the environment is not a valid configuration; the message names the variables. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Which process of the API image reads the configuration. `api` (the server, and the commands
 * that build the whole application: `admin:create`, `coupons:create`) is checked on everything
 * but the mail transport when it runs with `MAIL_WORKER=off` (it sends nothing then); the others
 * only on the variables they use, so in production each is given only its own secrets.
 */
export type ProcessRole = 'api' | 'mail-worker' | 'migrate' | 'audit-verify' | 'field-keys';

const DATABASE_VARIABLES = [
  'DATABASE_URL',
  'MIGRATION_DATABASE_URL',
  'DATABASE_AUTH',
  'DATABASE_SSL',
  'DATABASE_SSL_CA_FILE',
];
const FIELD_ENCRYPTION_VARIABLES = [
  'FIELD_ENCRYPTION_PROVIDER',
  'FIELD_ENCRYPTION_LOCAL_KEK',
  'FIELD_ENCRYPTION_KMS_KEY_ID',
];

/** The variables whose checks apply to each non-API process (see {@link ProcessRole}). */
const ROLE_VARIABLES: Readonly<Record<Exclude<ProcessRole, 'api'>, ReadonlySet<string>>> = {
  // Sends queued mail: opens sealed recipients (field encryption), renders links, speaks SMTP.
  'mail-worker': new Set([
    ...DATABASE_VARIABLES,
    'REDIS_URL',
    ...FIELD_ENCRYPTION_VARIABLES,
    'MAIL_TRANSPORT',
    'MAIL_FROM',
    'SMTP_URL',
    'SMTP_TLS',
    'SMTP_TLS_CA_FILE',
    'PUBLIC_BASE_URL',
  ]),
  // Applies migrations (and seeds): the schema-owner connection only.
  migrate: new Set(DATABASE_VARIABLES),
  // Walks the audit chain: the database and the chain's keys.
  'audit-verify': new Set([...DATABASE_VARIABLES, 'AUDIT_HMAC_KEY', 'AUDIT_HMAC_PREVIOUS_KEYS']),
  // Lists, rotates and re-encrypts field-encryption data keys.
  'field-keys': new Set([...DATABASE_VARIABLES, ...FIELD_ENCRYPTION_VARIABLES]),
};

/**
 * Parses and checks the environment. Throws {@link ConfigError} listing every problem at once.
 * Empty strings count as unset, so `FOO=` in an env file falls back to the default.
 */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  role: ProcessRole = 'api',
): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ENV_SCHEMA.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ENV_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        // zod messages never include the received value, so secrets cannot leak through them.
        return `${name}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const isProduction = e.NODE_ENV === 'production';

  if (isProduction) {
    if (!e.DATABASE_URL) {
      problems.push(
        'DATABASE_URL: required in production (the embedded database is for development only)',
      );
    }
    if (!e.REDIS_URL) {
      problems.push(
        'REDIS_URL: required in production (in-memory stores are for development only)',
      );
    }
  }
  if (e.DATABASE_AUTH === 'iam') {
    if (!e.DATABASE_URL)
      problems.push('DATABASE_AUTH: iam needs DATABASE_URL (the proxy endpoint)');
    if (e.DATABASE_SSL === 'disable') {
      problems.push('DATABASE_SSL: IAM authentication tokens are only sent over TLS (verify-full)');
    }
    for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL'] as const) {
      const value = e[name];
      if (value && new URL(value).password !== '') {
        problems.push(`${name}: must carry no password with DATABASE_AUTH=iam`);
      }
    }
  }
  if (isProduction && !source['PUBLIC_ORIGINS']) {
    problems.push("PUBLIC_ORIGINS: required in production (the shop's own https origin)");
  }
  if (isProduction && e.PUBLIC_ORIGINS.some((o) => !o.startsWith('https://'))) {
    problems.push('PUBLIC_ORIGINS: production origins must be https');
  }
  const webauthnRpId = e.WEBAUTHN_RP_ID ?? 'localhost';
  const webauthnOrigins = e.PUBLIC_ORIGINS.filter((origin) => {
    const host = new URL(origin).hostname;
    return host === webauthnRpId || host.endsWith(`.${webauthnRpId}`);
  });
  if (isProduction && !e.WEBAUTHN_RP_ID) {
    problems.push("WEBAUTHN_RP_ID: required in production (the shop's domain, e.g. shop.example)");
  } else if (webauthnOrigins.length === 0) {
    problems.push(
      'WEBAUTHN_RP_ID: no PUBLIC_ORIGINS origin is on this domain, so passkeys would work nowhere',
    );
  }
  if (e.STAFF_SESSION_ABSOLUTE_TIMEOUT_SECONDS < e.STAFF_SESSION_IDLE_TIMEOUT_SECONDS) {
    problems.push(
      'STAFF_SESSION_ABSOLUTE_TIMEOUT_SECONDS: must not be shorter than STAFF_SESSION_IDLE_TIMEOUT_SECONDS',
    );
  }
  if (e.SESSION_ABSOLUTE_TIMEOUT_SECONDS < e.SESSION_IDLE_TIMEOUT_SECONDS) {
    problems.push(
      'SESSION_ABSOLUTE_TIMEOUT_SECONDS: must not be shorter than SESSION_IDLE_TIMEOUT_SECONDS',
    );
  }
  if (isProduction && e.AUDIT_HMAC_KEY === DEVELOPMENT_AUDIT_HMAC_KEY) {
    problems.push('AUDIT_HMAC_KEY: required in production (the development key is public)');
  }
  if (isProduction && e.LOG_PSEUDONYM_KEY === DEVELOPMENT_LOG_PSEUDONYM_KEY) {
    problems.push('LOG_PSEUDONYM_KEY: required in production (the development key is public)');
  }
  if (e.AUDIT_HMAC_KEY === e.LOG_PSEUDONYM_KEY) {
    problems.push('LOG_PSEUDONYM_KEY: must differ from AUDIT_HMAC_KEY');
  }
  if (e.PASSWORD_ARGON2_MEMORY_KIB * e.PASSWORD_ARGON2_ITERATIONS < 35_840) {
    problems.push(
      'PASSWORD_ARGON2_MEMORY_KIB: memory x iterations is below the OWASP minimum for argon2id (e.g. 19456 KiB x 2)',
    );
  }
  if (isProduction && e.PASSWORD_HIBP_ENABLED && !e.PASSWORD_HIBP_URL.startsWith('https://')) {
    problems.push('PASSWORD_HIBP_URL: must be https in production');
  }
  const mailTransport = e.MAIL_TRANSPORT ?? (e.SMTP_URL ? 'smtp' : 'file');
  // The API with MAIL_WORKER=off sends nothing (the worker process does, checked as its own
  // role), so it needs no transport: in production it holds no SMTP credentials at all.
  const sendsMail = !(role === 'api' && e.MAIL_WORKER === 'off');
  if (sendsMail && mailTransport === 'smtp' && !e.SMTP_URL) {
    problems.push('SMTP_URL: required when MAIL_TRANSPORT=smtp');
  }
  if (sendsMail && isProduction && mailTransport === 'file') {
    problems.push(
      'MAIL_TRANSPORT: production sends by SMTP (set SMTP_URL); the file transport is for development only',
    );
  }
  if (e.SMTP_URL && (new URL(e.SMTP_URL).search !== '' || new URL(e.SMTP_URL).hash !== '')) {
    problems.push('SMTP_URL: must not carry a query or fragment (TLS comes from SMTP_TLS*)');
  }
  if (isProduction && !e.MAIL_FROM) problems.push('MAIL_FROM: required in production');
  if (isProduction && !e.PUBLIC_BASE_URL) {
    problems.push('PUBLIC_BASE_URL: required in production (links in emails point to it)');
  } else if (isProduction && !e.PUBLIC_BASE_URL?.startsWith('https://')) {
    problems.push('PUBLIC_BASE_URL: must be https in production');
  }
  if (e.PUBLIC_BASE_URL && /[?#]/.test(e.PUBLIC_BASE_URL)) {
    problems.push('PUBLIC_BASE_URL: must not carry a query or fragment');
  }
  problems.push(...fieldEncryptionProblems(e, isProduction));
  problems.push(...paymentProblems(e, isProduction));
  // Other processes of the same image are checked only on what they use, so each can be given
  // only its own secrets (e.g. the audit check holds no Stripe or SMTP credentials).
  const relevant =
    role === 'api'
      ? problems
      : problems.filter((problem) =>
          ROLE_VARIABLES[role].has(problem.slice(0, problem.indexOf(':'))),
        );
  if (relevant.length > 0) throw new ConfigError(relevant);

  return {
    env: e.NODE_ENV,
    isProduction,
    http: {
      host: e.HOST,
      port: e.PORT,
      trustProxyHops: e.TRUST_PROXY_HOPS,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
    log: { level: e.LOG_LEVEL },
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          migrationUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL,
          poolSize: e.DATABASE_POOL_SIZE,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
          ssl: e.DATABASE_SSL,
          sslCaFile: e.DATABASE_SSL_CA_FILE,
          auth: e.DATABASE_AUTH,
        }
      : { kind: 'embedded', dataDir: e.EMBEDDED_DATA_DIR, seedOnStart: e.SEED_ON_START },
    redis: e.REDIS_URL
      ? { kind: 'redis', url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX }
      : { kind: 'memory', keyPrefix: e.REDIS_KEY_PREFIX },
    session: {
      idleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
      absoluteTimeoutSeconds: e.SESSION_ABSOLUTE_TIMEOUT_SECONDS,
    },
    identity: {
      staffSession: {
        idleTimeoutSeconds: e.STAFF_SESSION_IDLE_TIMEOUT_SECONDS,
        absoluteTimeoutSeconds: e.STAFF_SESSION_ABSOLUTE_TIMEOUT_SECONDS,
      },
      publicOrigins: e.PUBLIC_ORIGINS,
      stepUpMaxAgeSeconds: e.STEP_UP_MAX_AGE_SECONDS,
      lockoutThreshold: e.LOGIN_LOCKOUT_THRESHOLD,
      lockoutSeconds: e.LOGIN_LOCKOUT_SECONDS,
      ipFailureLimit: e.LOGIN_IP_FAILURE_LIMIT,
      passwordResetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
      emailVerificationTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
      webauthn: {
        rpId: webauthnRpId,
        rpName: e.WEBAUTHN_RP_NAME ?? e.SHOP_NAME,
        origins: webauthnOrigins,
      },
    },
    audit: {
      hmacKey: e.AUDIT_HMAC_KEY,
      previousHmacKeys: e.AUDIT_HMAC_PREVIOUS_KEYS ?? [],
      pseudonymKey: e.LOG_PSEUDONYM_KEY,
    },
    shopName: e.SHOP_NAME,
    credentials: {
      argon2: {
        memoryKib: e.PASSWORD_ARGON2_MEMORY_KIB,
        iterations: e.PASSWORD_ARGON2_ITERATIONS,
        parallelism: e.PASSWORD_ARGON2_PARALLELISM,
      },
      // One hash per core, but leave at least one of libuv's 4 default threads for fs/dns/zlib.
      hashConcurrency:
        e.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, Math.min(availableParallelism(), 3)),
      hashQueueLimit: e.PASSWORD_HASH_QUEUE_LIMIT,
      hibp: {
        enabled: e.PASSWORD_HIBP_ENABLED,
        baseUrl: e.PASSWORD_HIBP_URL,
        timeoutMs: e.PASSWORD_HIBP_TIMEOUT_MS,
      },
    },
    rateLimits: {
      default: e.RATE_LIMIT_DEFAULT,
      search: e.RATE_LIMIT_SEARCH,
      auth: e.RATE_LIMIT_AUTH,
      checkout: e.RATE_LIMIT_CHECKOUT,
      'csp-report': e.RATE_LIMIT_CSP_REPORT,
    },
    mail: {
      transport:
        !sendsMail && !e.SMTP_URL
          ? { kind: 'none' }
          : mailTransport === 'smtp'
            ? {
                kind: 'smtp',
                url: e.SMTP_URL ?? '',
                // Production never sends in clear unless told to; elsewhere a local catcher may.
                tls: e.SMTP_TLS ?? (isProduction ? 'required' : 'opportunistic'),
                caFile: e.SMTP_TLS_CA_FILE,
              }
            : { kind: 'file', dir: e.MAIL_DIR },
      from: e.MAIL_FROM ?? 'Storefront <no-reply@storefront.localhost>',
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''),
      worker: e.MAIL_WORKER,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      retryBaseDelayMs: e.MAIL_RETRY_BASE_DELAY_MS,
      sweepIntervalMs: e.MAIL_SWEEP_INTERVAL_MS,
    },
    cart: {
      maxQuantity: e.CART_MAX_QUANTITY,
      maxLines: e.CART_MAX_LINES,
      guestRetentionDays: e.CART_GUEST_RETENTION_DAYS,
    },
    orders: {
      reservationTtlSeconds: e.CHECKOUT_RESERVATION_TTL_SECONDS,
      sweepIntervalMs: e.ORDER_SWEEP_INTERVAL_MS,
    },
    catalogueCache: {
      maxAgeSeconds: e.CATALOGUE_CACHE_MAX_AGE_SECONDS,
      ttlSeconds: e.CATALOGUE_CACHE_TTL_SECONDS,
    },
    fieldEncryption: fieldEncryptionConfig(e),
    payments: paymentsConfig(e, isProduction),
    openApiEnabled: !isProduction,
  };
}

function keyFromBase64(value: string): KeyObject {
  const bytes = Buffer.from(value, 'base64');
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

/** Production wraps data keys with KMS and needs its own blind-index key; keys stay separate. */
function fieldEncryptionProblems(e: Env, isProduction: boolean): string[] {
  const problems: string[] = [];
  if (isProduction && e.FIELD_ENCRYPTION_PROVIDER !== 'kms') {
    problems.push(
      'FIELD_ENCRYPTION_PROVIDER: must be kms in production (the local key provider is for development only)',
    );
  }
  if (e.FIELD_ENCRYPTION_PROVIDER === 'kms' && !e.FIELD_ENCRYPTION_KMS_KEY_ID) {
    problems.push('FIELD_ENCRYPTION_KMS_KEY_ID: required when FIELD_ENCRYPTION_PROVIDER=kms');
  }
  if (isProduction && !e.BLIND_INDEX_KEY) {
    problems.push('BLIND_INDEX_KEY: required in production (the development key is public)');
  }
  if (
    e.BLIND_INDEX_KEY !== undefined &&
    e.FIELD_ENCRYPTION_LOCAL_KEK !== undefined &&
    Buffer.from(e.BLIND_INDEX_KEY, 'base64').equals(
      Buffer.from(e.FIELD_ENCRYPTION_LOCAL_KEK, 'base64'),
    )
  ) {
    problems.push('BLIND_INDEX_KEY: must differ from FIELD_ENCRYPTION_LOCAL_KEK (separate keys)');
  }
  return problems;
}

function fieldEncryptionConfig(e: Env): AppConfig['fieldEncryption'] {
  const provider: AppConfig['fieldEncryption']['provider'] =
    e.FIELD_ENCRYPTION_PROVIDER === 'kms'
      ? { kind: 'kms', keyId: e.FIELD_ENCRYPTION_KMS_KEY_ID ?? '' }
      : {
          kind: 'local',
          kek: e.FIELD_ENCRYPTION_LOCAL_KEK
            ? keyFromBase64(e.FIELD_ENCRYPTION_LOCAL_KEK)
            : developmentKey('local-kek'),
        };
  return {
    provider,
    blindIndexKey: e.BLIND_INDEX_KEY
      ? keyFromBase64(e.BLIND_INDEX_KEY)
      : developmentKey('blind-index'),
    developmentKeys:
      !e.BLIND_INDEX_KEY || (provider.kind === 'local' && !e.FIELD_ENCRYPTION_LOCAL_KEK),
  };
}

/** The payment provider: explicit, else Stripe in production or when a Stripe key is given. */
function paymentProviderOf(e: Env, isProduction: boolean): 'stripe' | 'development' {
  return e.PAYMENT_PROVIDER ?? (isProduction || e.STRIPE_SECRET_KEY ? 'stripe' : 'development');
}

/** Production takes real payments through Stripe: live keys, Stripe's own API address. */
function paymentProblems(e: Env, isProduction: boolean): string[] {
  const problems: string[] = [];
  const provider = paymentProviderOf(e, isProduction);
  if (isProduction && provider === 'development') {
    problems.push(
      'PAYMENT_PROVIDER: production takes payments through Stripe (the development provider only simulates them)',
    );
  }
  if (provider === 'stripe') {
    for (const name of [
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_PUBLISHABLE_KEY',
    ] as const) {
      if (!e[name]) problems.push(`${name}: required with PAYMENT_PROVIDER=stripe`);
    }
  }
  const secretMode = /^[sr]k_(test|live)_/.exec(e.STRIPE_SECRET_KEY ?? '')?.[1];
  const publishableMode = /^pk_(test|live)_/.exec(e.STRIPE_PUBLISHABLE_KEY ?? '')?.[1];
  if (isProduction && secretMode === 'test') {
    problems.push('STRIPE_SECRET_KEY: test-mode keys are refused in production (use a live key)');
  }
  if (isProduction && publishableMode === 'test') {
    problems.push('STRIPE_PUBLISHABLE_KEY: test-mode keys are refused in production');
  }
  if (secretMode && publishableMode && secretMode !== publishableMode) {
    problems.push(
      'STRIPE_PUBLISHABLE_KEY: must be of the same mode (test or live) as STRIPE_SECRET_KEY',
    );
  }
  if (e.STRIPE_API_BASE) {
    const base = new URL(e.STRIPE_API_BASE);
    if (isProduction) {
      problems.push(
        'STRIPE_API_BASE: production talks to Stripe itself (the override is for tests)',
      );
    } else if ((base.pathname !== '/' && base.pathname !== '') || base.search || base.hash) {
      problems.push('STRIPE_API_BASE: scheme, host and port only (no path, query or fragment)');
    }
  }
  return problems;
}

function paymentsConfig(e: Env, isProduction: boolean): PaymentsConfig {
  if (paymentProviderOf(e, isProduction) === 'development') {
    return { provider: 'development', publishableKey: null };
  }
  const secretKey = e.STRIPE_SECRET_KEY ?? '';
  const base = e.STRIPE_API_BASE ? new URL(e.STRIPE_API_BASE) : null;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  return {
    provider: 'stripe',
    mode: /^[sr]k_live_/.test(secretKey) ? 'live' : 'test',
    secretKey: new RedactedSecret(secretKey),
    webhookSecret: new RedactedSecret(e.STRIPE_WEBHOOK_SECRET ?? ''),
    publishableKey: e.STRIPE_PUBLISHABLE_KEY ?? '',
    api: base
      ? {
          protocol,
          host: base.hostname,
          port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443,
        }
      : null,
    timeoutMs: e.STRIPE_TIMEOUT_MS,
    maxNetworkRetries: e.STRIPE_MAX_NETWORK_RETRIES,
  };
}

/** A one-line, secret-free description of the configuration for the startup log. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    env: config.env,
    listen: `${config.http.host}:${config.http.port}`,
    trustProxyHops: config.http.trustProxyHops,
    database:
      config.database.kind === 'postgres' ? `postgres (ssl=${config.database.ssl})` : 'embedded',
    redis: config.redis.kind,
    openApi: config.openApiEnabled,
    fieldEncryption: `${config.fieldEncryption.provider.kind}${config.fieldEncryption.developmentKeys ? ' (development keys: public, not secret)' : ''}`,
    mail: `${config.mail.transport.kind} (worker=${config.mail.worker})`,
    payments:
      config.payments.provider === 'stripe'
        ? `stripe (${config.payments.mode})`
        : 'development (simulated payments)',
  };
}

/** Injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
