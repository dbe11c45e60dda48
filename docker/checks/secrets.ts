/**
 * Heuristics shared by the Dockerfile and Compose checks to recognise secrets that were
 * written into a file instead of being injected at run time.
 *
 * They are deliberately conservative on names (a false positive costs a rename) and only
 * match well-known token shapes on values, so that ordinary configuration does not trip them.
 */

/** Name fragments that mark a variable as holding a secret. */
const SECRET_NAME_TOKENS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASS',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'CREDENTIAL',
  'CREDENTIALS',
  'APIKEY',
  'AUTH',
  // Key-encryption key (envelope encryption), e.g. FIELD_ENCRYPTION_LOCAL_KEK.
  'KEK',
]);

/**
 * Tells whether a variable name (ENV, ARG, compose `environment` key) looks like it holds a
 * secret: `DB_PASSWORD`, `STRIPE_SECRET_KEY`, `GITHUB_TOKEN`, `API_KEY`, `KEY`… but not
 * `REDIS_KEY_PREFIX`, `KEYBOARD_LAYOUT` or `PASSWORD_MIN_LENGTH`-style settings whose last
 * word is a plain setting name.
 *
 * @param name - the variable name, any case
 * @returns true when the name is secret-like
 */
export function isSecretName(name: string): boolean {
  const tokens = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((t) => t.length > 0);
  if (tokens.length === 0) return false;
  const last = tokens[tokens.length - 1] ?? '';
  // Settings *about* a secret (length, policy, prefix, path to a file) are not secrets.
  if (
    /^(LENGTH|LEN|MIN|MAX|POLICY|PREFIX|FILE|PATH|TTL|ID|NAME|HEADER|ROTATION|ENABLED)$/.test(last)
  ) {
    return false;
  }
  if (last === 'KEY' || last === 'KEYS') return true;
  return tokens.some((t) => SECRET_NAME_TOKENS.has(t));
}

/** Well-known shapes of real credentials. Each is a public, documented token format. */
const TOKEN_SHAPES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'private key block', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  {
    name: 'Stripe secret or restricted key',
    pattern: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}\b/,
  },
  { name: 'Stripe webhook secret', pattern: /\bwhsec_[0-9A-Za-z]{10,}\b/ },
  {
    name: 'GitHub token',
    pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{30,}\b|\bgithub_pat_[0-9A-Za-z_]{30,}\b/,
  },
  { name: 'npm token', pattern: /\bnpm_[0-9A-Za-z]{30,}\b/ },
  { name: 'Slack token', pattern: /\bxox[abpr]-[0-9A-Za-z-]{10,}\b/ },
];

/**
 * Finds well-known credential shapes (AWS keys, private keys, Stripe/GitHub/npm tokens) in a
 * piece of text.
 *
 * @param text - any text: a file, a value, a command line
 * @returns the names of the token shapes found (empty when none)
 */
export function findTokenShapes(text: string): string[] {
  return TOKEN_SHAPES.filter(({ pattern }) => pattern.test(text)).map(({ name }) => name);
}

/**
 * Tells whether a value is made only of Compose/shell variable references (`${VAR}`,
 * `${VAR:?message}`, `${VAR:-default}`, `$VAR`), i.e. carries no literal of its own.
 * A default after `:-` counts as a literal, since it would be used when the variable is unset.
 *
 * @param value - the raw (uninterpolated) value
 * @returns true when the value is a pure reference
 */
export function isPureReference(value: string): boolean {
  return /^(?:\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(value);
}

/**
 * Finds URLs that embed a literal password (`postgres://user:hunter2@db/x`). A password given
 * as a variable reference (`postgres://user:${DB_PASSWORD}@db/x`) is fine.
 *
 * @param text - any text
 * @returns the offending URLs with their password masked
 */
export function findLiteralUrlPasswords(text: string): string[] {
  const found: string[] = [];
  // The password is either a ${...} reference (which may hold spaces, e.g. `:?message`) or
  // a run of characters up to the `@`.
  const urlWithUserinfo = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/:@'"]*):(\$\{[^}]*\}|[^\s/@'"]+)@/gi;
  for (const match of text.matchAll(urlWithUserinfo)) {
    const password = match[3] ?? '';
    if (!isPureReference(password)) {
      found.push(`${match[1] ?? ''}://${match[2] ?? ''}:***@`);
    }
  }
  return found;
}
