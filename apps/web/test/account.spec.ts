import * as OTPAuth from 'otpauth';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The customer account without JavaScript, against the whole shop on real parts
 * (test/support/full-stack.mjs: fresh PostgreSQL database, Redis, the built API, a real SMTP
 * listener, the built web server): every form is a plain urlencoded POST, as a browser without
 * scripts sends it, with the browser's Origin and Sec-Fetch-Site headers.
 */

interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}
interface FullStack {
  webUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  mail: {
    waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  };
  stop(): Promise<void>;
}
type StartFullStack = (options: {
  name: string;
  apiEnv?: Record<string, string>;
}) => Promise<FullStack>;

/** The stack's module (plain JavaScript, shared with the browser tests). */
const FULL_STACK = new URL('../../../test/support/full-stack.mjs', import.meta.url).href;
let stack: FullStack;
const STEP_UP_SECONDS = 300;

beforeAll(async () => {
  const { startFullStack } = (await import(FULL_STACK)) as { startFullStack: StartFullStack };
  stack = await startFullStack({
    name: 'web_account_ssr',
    apiEnv: { STEP_UP_MAX_AGE_SECONDS: String(STEP_UP_SECONDS) },
  });
}, 180_000);

afterAll(async () => {
  await (stack as FullStack | undefined)?.stop();
});

/** A browser without JavaScript: keeps cookies, sends forms urlencoded, never follows redirects. */
class Visitor {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly headers: Record<string, string> = {}) {}

  /** The session cookie's value, if any. */
  get session(): string | undefined {
    return this.cookies.get('__Host-sid');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(path, { method: 'GET', headers });
  }

  /** A same-origin form post, as the browser sends it. */
  async post(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.send(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** The CSRF token of the form on `path`. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.get(path)).text();
    const token = csrfIn(html);
    expect(token, `a CSRF field on ${path}`).not.toBeNull();
    return token ?? '';
  }

  /** A same-origin JSON call to the API through the shop's origin, as the page's scripts make it. */
  async api(path: string, method: string, body?: unknown): Promise<Response> {
    const session = (await (await this.get('/api/auth/session')).json()) as {
      csrfToken: string | null;
    };
    return this.send(path, {
      method,
      headers: {
        'content-type': 'application/json',
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
        ...(session.csrfToken ? { 'x-csrf-token': session.csrfToken } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    const response = await fetch(`${stack.webUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(init.headers as Record<string, string>),
        ...(cookie ? { cookie } : {}),
      },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = setCookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

function csrfIn(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** A verification link in a mail. */
const LINK = /https?:\/\/[^\s]+\/account\/verify-email#token=[A-Za-z0-9_-]+/;

const uniqueEmail = (tag: string) => `${tag}-${randomBytes(5).toString('hex')}@example.test`;
const strongPassword = () => `correct horse ${randomBytes(8).toString('hex')} staple`;

/** Registers through the pages, follows the emailed link (pasted, as without JavaScript). */
async function registeredCustomer(
  email = uniqueEmail('customer'),
  password = strongPassword(),
): Promise<{ email: string; password: string }> {
  const visitor = new Visitor();
  const registered = await visitor.post('/en/account/register', { email, password });
  expect(registered.status).toBe(303 === registered.status ? 303 : 302);
  const mail = await stack.mail.waitFor((m) => m.to.includes(email));
  const link = /https?:\/\/[^\s]+\/en\/account\/verify-email#token=[A-Za-z0-9_-]+/.exec(mail.text);
  expect(link, 'the welcome mail links to the English verification page').not.toBeNull();
  const verified = await visitor.post('/en/account/verify-email', { token: link?.[0] ?? '' });
  expect(verified.status).toBe(200);
  expect(await verified.text()).toContain('Your email address is confirmed');
  return { email, password };
}

/** A visitor signed in through the sign-in form. */
async function signedIn(credentials: { email: string; password: string }): Promise<Visitor> {
  const visitor = new Visitor();
  const response = await visitor.post('/en/account/sign-in', credentials);
  expect(response.status).toBe(302);
  expect(response.headers.get('location')).toBe('/en/account');
  return visitor;
}

/**
 * Makes the visitor's sign-in `seconds` older by rewriting its server-side session in Redis, as
 * the API's own step-up test does through its session service: outliving the step-up window
 * without waiting for it. The key is the API's (`session:` + SHA-256 of the cookie's id).
 */
async function ageSignIn(visitor: Visitor, seconds: number): Promise<void> {
  const id = visitor.session;
  if (id === undefined) throw new Error('the visitor has no session');
  const redis = new Redis(stack.redisUrl, { keyPrefix: stack.redisKeyPrefix });
  try {
    const key = `session:${createHash('sha256').update(id).digest('base64url')}`;
    const stored = await redis.get(key);
    if (stored === null) throw new Error('no such session in Redis');
    const record = JSON.parse(stored) as { auth: { reauthenticatedAt: number } | null };
    if (record.auth === null) throw new Error('the session is not signed in');
    record.auth.reauthenticatedAt -= seconds * 1000;
    expect(await redis.set(key, JSON.stringify(record), 'KEEPTTL')).toBe('OK');
  } finally {
    redis.disconnect();
  }
}

describe('register, verify from the mail, sign in — without JavaScript', () => {
  it('goes from the registration form to a signed-in account page', async () => {
    const email = uniqueEmail('journey');
    const password = strongPassword();
    const visitor = new Visitor();

    const form = await visitor.get('/en/account/register');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Create an account');

    const registered = await visitor.post('/en/account/register', {
      email,
      password,
      displayName: 'Ada',
    });
    expect(registered.status).toBe(302);
    expect(registered.headers.get('location')).toBe('/en/account/register?sent=1');
    expect(await (await visitor.get('/en/account/register?sent=1')).text()).toContain(
      'Check your inbox',
    );

    // The mail arrives at the real SMTP listener, its link in the page's language, the token in
    // the fragment (which a browser never sends: the page asks for it without JavaScript).
    const mail = await stack.mail.waitFor((m) => m.to.includes(email));
    const link = new URL(LINK.exec(mail.text)?.[0] ?? '');
    expect(link.pathname).toBe('/en/account/verify-email');
    expect(link.hash).toMatch(/^#token=[A-Za-z0-9_-]{43,}$/);
    const landing = await visitor.get(link.pathname);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('Link or code from the email');

    // Signing in before the address is confirmed is refused, and a new link is sent.
    const early = await visitor.post('/en/account/sign-in', { email, password });
    expect(early.status).toBe(403);
    expect(await early.text()).toContain('Please confirm your email address first');
    const resent = await stack.mail.waitFor((m) => m !== mail && m.to.includes(email));
    const newLink = LINK.exec(resent.text)?.[0] ?? '';
    expect(newLink).not.toBe(link.toString());

    const verified = await visitor.post('/en/account/verify-email', { token: newLink });
    expect(verified.status).toBe(200);
    expect(await verified.text()).toContain('Your email address is confirmed');

    const signIn = await visitor.post('/en/account/sign-in', { email, password });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toBe('/en/account');
    expect(signIn.headers.getSetCookie().join()).toMatch(/__Host-sid=/);
    const account = await visitor.get('/en/account');
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(html).toContain(`Signed in as ${email}`);
    expect(html).toContain('value="Ada"');
  });

  it('says the email or password is wrong, keeps the email, never echoes the password', async () => {
    const { email } = await registeredCustomer();
    const visitor = new Visitor();
    const response = await visitor.post('/en/account/sign-in', {
      email,
      password: 'not-the-password-123',
    });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('The email or password is not correct.');
    expect(html).toContain(`value="${email}"`);
    expect(html).not.toContain('not-the-password-123');
    expect(visitor.session).toBeUndefined();
  });

  it('shows the API’s validation error next to the field it concerns', async () => {
    const visitor = new Visitor();
    const response = await visitor.post('/en/account/register', {
      email: uniqueEmail('short'),
      password: 'short',
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(
      /<input[^>]*id="field-password"[^>]*aria-invalid="true"[^>]*aria-describedby="field-password-hint field-password-error"/,
    );
    expect(html).toMatch(
      /<p id="field-password-error" class="field-error">Use at least 12 characters/,
    );
  });

  it('says the API’s field errors in the page’s language, from their rules', async () => {
    const visitor = new Visitor();
    const weak = await visitor.post('/fr/account/register', {
      email: uniqueEmail('court'),
      password: 'short',
    });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toMatch(
      /<p id="field-password-error" class="field-error">Utilisez au moins 12 caractères/,
    );
    const badEmail = await visitor.post('/fr/account/register', {
      email: 'pas-une-adresse',
      password: 'a-long-enough-passphrase-2026',
    });
    expect(badEmail.status).toBe(400);
    const html = await badEmail.text();
    expect(html).toMatch(
      /<p id="field-email-error" class="field-error">Saisissez une adresse e-mail/,
    );
    expect(html).not.toContain('Invalid');
  });

  it('refuses a pasted text that is no emailed link, next to the field', async () => {
    const response = await new Visitor().post('/en/account/verify-email', { token: 'nonsense' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This is not a link from one of our emails.');
  });
});

describe('personal pages are never stored (Cache-Control: no-store, ASVS 14.3.2)', () => {
  it.each([
    '/en/account/sign-in',
    '/en/account/register',
    '/en/account/verify-email',
    '/en/account/forgot-password',
    '/en/account/reset-password',
    '/fr/admin/accept-invitation',
  ])('anonymous %s', async (path) => {
    const response = await new Visitor().get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('every signed-in page, and the sign-in redirect of a signed-out visitor', async () => {
    const visitor = await signedIn(await registeredCustomer());
    for (const path of [
      '/en/account',
      '/en/account/security',
      '/en/account/sessions',
      '/en/account/addresses',
      '/en/account/orders',
      '/en/account/two-factor',
      '/en/account/reauthenticate',
      '/en/account/sign-out',
    ]) {
      const response = await visitor.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
    const redirected = await new Visitor().get('/en/account/orders');
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe(
      '/en/account/sign-in?returnTo=%2Fen%2Faccount%2Forders',
    );
    expect(redirected.headers.get('cache-control')).toBe('no-store');
  });
});

describe('CSRF on account forms (ASVS 3.5.1–3.5.3)', () => {
  it('refuses a cross-site post before the action runs, and nothing changes', async () => {
    const visitor = await signedIn(await registeredCustomer());
    const csrf = await visitor.csrf('/en/account');
    const attack = await visitor.post(
      '/en/account',
      { displayName: 'Mallory', _csrf: csrf },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(attack.status).toBe(403);
    expect(await (await visitor.get('/en/account')).text()).not.toContain('Mallory');
  });

  it('refuses a same-origin post without the session’s token, and accepts it with', async () => {
    const visitor = await signedIn(await registeredCustomer());
    const refused = await visitor.post('/en/account', { displayName: 'No Token' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Your session changed or expired');
    const forged = await visitor.post('/en/account', {
      displayName: 'No Token',
      _csrf: 'x'.repeat(43),
    });
    expect(forged.status).toBe(403);
    expect(await (await visitor.get('/en/account')).text()).not.toContain('No Token');

    const csrf = await visitor.csrf('/en/account');
    const saved = await visitor.post('/en/account', { displayName: 'With Token', _csrf: csrf });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain('Your profile is saved.');
  });

  it('signing out needs the token too; with it the session ends on the server', async () => {
    const visitor = await signedIn(await registeredCustomer());
    expect((await visitor.post('/en/account/sign-out', {})).status).toBe(403);
    expect((await visitor.get('/en/account')).status).toBe(200);

    const before = visitor.session;
    const csrf = await visitor.csrf('/en/account');
    const out = await visitor.post('/en/account/sign-out', { _csrf: csrf });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/en/account/sign-in?signedOut=1');
    expect(visitor.session).toBeUndefined();
    // The old cookie is dead on the server, not only forgotten by the browser.
    const replay = await fetch(`${stack.webUrl}/en/account`, {
      redirect: 'manual',
      headers: { cookie: `__Host-sid=${before ?? ''}` },
    });
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toMatch(/^\/en\/account\/sign-in/);
  });
});

describe('returnTo after sign-in (open redirect, ASVS 3.7.2)', () => {
  it('comes back to a page of the shop', async () => {
    const credentials = await registeredCustomer();
    const response = await new Visitor().post('/en/account/sign-in', {
      ...credentials,
      returnTo: '/en/account/orders',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/en/account/orders');
  });

  it.each(['//evil.example', 'https://evil.example/en', '/\\evil.example', '/%2f%2fevil.example'])(
    'refuses %j: the visitor lands on the account page',
    async (returnTo) => {
      const credentials = await registeredCustomer();
      const visitor = new Visitor();
      const page = await (
        await visitor.get(`/en/account/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
      ).text();
      // The refused value is not carried into the form (the header's language link may keep
      // the query: it only points at the same page in the other language, which refuses it too).
      expect(page).toContain('name="email"');
      expect(page).not.toContain('name="returnTo"');
      const response = await visitor.post('/en/account/sign-in', { ...credentials, returnTo });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/en/account');
    },
  );
});

describe('languages', () => {
  it('French account pages are in French, and their forms post to French pages', async () => {
    const response = await new Visitor().get('/fr/account/sign-in');
    const html = await response.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Mot de passe oublié ?');
    expect(html).toContain('href="/fr/account/register"');
    const refused = await new Visitor().post('/fr/account/sign-in', {
      email: uniqueEmail('fr'),
      password: 'pas le bon mot de passe',
    });
    expect(refused.status).toBe(401);
    // (React writes the apostrophes as &#x27;.)
    expect(await refused.text()).toContain(
      'L&#x27;e-mail ou le mot de passe n&#x27;est pas correct.',
    );
  });

  it('an account registered on a French page gets its mails in French, linking to French pages', async () => {
    const email = uniqueEmail('fr-register');
    const registered = await new Visitor().post('/fr/account/register', {
      email,
      password: strongPassword(),
    });
    expect(registered.status).toBe(302);
    expect(registered.headers.get('location')).toBe('/fr/account/register?sent=1');
    const mail = await stack.mail.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toMatch(/^Confirmez votre adresse e-mail/);
    const link = new URL(LINK.exec(mail.text)?.[0] ?? 'https://missing.invalid/');
    expect(link.pathname).toBe('/fr/account/verify-email');
  });

  it('the profile’s “Language for emails” choice changes the language of the next account mail', async () => {
    const { email, password } = await registeredCustomer();
    const visitor = await signedIn({ email, password });
    const page = await (await visitor.get('/en/account')).text();
    expect(page).toContain('<label for="field-locale">Language for emails</label>');
    expect(page).toMatch(/<option value="en" lang="en" selected="">English<\/option>/);

    const saved = await visitor.post('/en/account', {
      displayName: 'Camille',
      locale: 'fr',
      _csrf: await visitor.csrf('/en/account'),
    });
    expect(saved.status).toBe(200);
    const html = await saved.text();
    expect(html).toContain('Your profile is saved.');
    expect(html).toMatch(/<option value="fr" lang="fr" selected="">Français<\/option>/);
    // The French page offers the same choice in French.
    expect(await (await visitor.get('/fr/account')).text()).toContain(
      '<label for="field-locale">Langue des e-mails</label>',
    );

    // A reset asked for from an English page is still written in the account's language.
    await new Visitor().post('/en/account/forgot-password', { email });
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(email) && /reset-password/.test(m.text),
    );
    expect(mail.subject).toMatch(/^Réinitialisez votre mot de passe/);
    expect(mail.text).toMatch(/https?:\/\/\S+\/fr\/account\/reset-password#token=/);
  });

  it('shows the API’s refusal of a language it does not write in next to the select', async () => {
    const visitor = await signedIn(await registeredCustomer());
    const refused = await visitor.post('/en/account', {
      displayName: 'Camille',
      locale: 'de',
      _csrf: await visitor.csrf('/en/account'),
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(
      /<select id="field-locale" name="locale" aria-invalid="true" aria-describedby="field-locale-hint field-locale-error"/,
    );
  });
});

describe('emailed links without a language', () => {
  it('redirect to the page in the browser’s language, keeping the query', async () => {
    const response = await new Visitor({ 'accept-language': 'fr-FR,fr;q=0.9' }).get(
      '/account/verify-email?x=1',
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/fr/account/verify-email?x=1');
    const invitation = await new Visitor().get('/admin/accept-invitation');
    expect(invitation.headers.get('location')).toBe('/en/admin/accept-invitation');
  });
});

describe('two-step verification without JavaScript', () => {
  it('sets up TOTP, shows the recovery codes once, then asks for a second factor at sign-in', async () => {
    const credentials = await registeredCustomer();
    const visitor = await signedIn(credentials);
    const csrf = await visitor.csrf('/en/account/two-factor');
    const begun = await visitor.post('/en/account/two-factor', { intent: 'begin', _csrf: csrf });
    expect(begun.status).toBe(200);
    const setup = await begun.text();
    // The QR code is an inline SVG drawn from elements; the secret is also given as text.
    expect(setup).toMatch(/<svg[^>]*role="img"[^>]*class="totp-qr"/);
    const secret = /name="secret" value="([A-Z2-7]+=*)"/.exec(setup)?.[1] ?? '';
    expect(secret).not.toBe('');
    const uri = /name="otpauthUri" value="([^"]+)"/.exec(setup)?.[1] ?? '';

    const wrong = await visitor.post('/en/account/two-factor', {
      intent: 'confirm',
      code: '000000' === totp(secret) ? '111111' : '000000',
      otpauthUri: uri.replaceAll('&amp;', '&'),
      secret,
      _csrf: csrf,
    });
    expect(wrong.status).toBe(401);
    const again = await wrong.text();
    expect(again).toContain('That code is not valid.');
    expect(again).toContain('class="totp-qr"');

    // Confirming gives the session a new id: the page of the same response already uses it.
    const confirmed = await visitor.post('/en/account/two-factor', {
      intent: 'confirm',
      code: totp(secret),
      otpauthUri: uri.replaceAll('&amp;', '&'),
      secret,
      _csrf: csrf,
    });
    expect(confirmed.status).toBe(200);
    const done = await confirmed.text();
    expect(done).toContain('Two-step verification is on');
    const codes = [...done.matchAll(/<li><code>([A-Za-z0-9-]{10,40})<\/code><\/li>/g)].map(
      (m) => m[1] ?? '',
    );
    expect(codes.length).toBeGreaterThanOrEqual(8);
    // Shown once: the security page only counts them.
    const security = await (await visitor.get('/en/account/security')).text();
    expect(security).toContain(`${codes.length} recovery codes left.`);
    expect(security).not.toContain(codes[0]);

    const second = new Visitor();
    const signIn = await second.post('/en/account/sign-in', {
      ...credentials,
      returnTo: '/en/account/sessions',
    });
    expect(signIn.status).toBe(302);
    const next = signIn.headers.get('location') ?? '';
    expect(next).toMatch(
      /^\/en\/account\/sign-in\/second-factor\?returnTo=%2Fen%2Faccount%2Fsessions/,
    );
    // Not signed in yet: personal pages send the visitor back to the second factor.
    expect((await second.get('/en/account')).headers.get('location')).toMatch(
      /^\/en\/account\/sign-in\/second-factor/,
    );
    const challenge = await (await second.get(next)).text();
    const csrf2 = csrfIn(challenge) ?? '';
    const wrongCode = await second.post('/en/account/sign-in/second-factor', {
      method: 'recovery-code',
      recoveryCode: 'AAAA-BBBB-CCCC-DDDD',
      returnTo: '/en/account/sessions',
      _csrf: csrf2,
    });
    expect(wrongCode.status).toBe(401);
    const used = await second.post('/en/account/sign-in/second-factor', {
      method: 'recovery-code',
      recoveryCode: codes[0] ?? '',
      returnTo: '/en/account/sessions',
      _csrf: csrf2,
    });
    expect(used.status).toBe(302);
    expect(used.headers.get('location')).toBe('/en/account/sessions');
    const sessions = await (await second.get('/en/account/sessions')).text();
    expect(sessions).toContain('This device');
    expect(sessions).toContain('Sign out this device');

    // New recovery codes (shown once), then the authenticator app removed.
    const csrf3 = await second.csrf('/en/account/security');
    const renewed = await second.post('/en/account/security', { intent: 'recovery', _csrf: csrf3 });
    expect(renewed.status).toBe(200);
    const fresh = [
      ...(await renewed.text()).matchAll(/<li><code>([A-Za-z0-9-]{10,40})<\/code><\/li>/g),
    ];
    expect(fresh).toHaveLength(codes.length);
    expect(fresh.map((m) => m[1])).not.toContain(codes[1]);
    const removed = await second.post('/en/account/security', {
      intent: 'totp-remove',
      _csrf: await second.csrf('/en/account/security'),
    });
    expect(removed.status).toBe(200);
    const after = await removed.text();
    expect(after).toContain('The authenticator app has been removed.');
    expect(after).toContain('Authenticator app: off.');
  });
});

describe('addresses without JavaScript', () => {
  it('shows the API’s field error, then saves, edits and deletes an address', async () => {
    const visitor = await signedIn(await registeredCustomer());
    const csrf = await visitor.csrf('/en/account/addresses');
    const address = {
      intent: 'add',
      fullName: 'Ada Lovelace',
      line1: '12 rue de la Paix',
      line2: '',
      postalCode: '75002',
      city: 'Paris',
      country: 'FR',
      phone: '',
      _csrf: csrf,
    };
    const bad = await visitor.post('/en/account/addresses', { ...address, postalCode: '!!' });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toMatch(
      /id="field-postalCode-error" class="field-error">Enter a postal code: letters, digits, spaces or dashes/,
    );
    expect(badHtml).toContain('value="12 rue de la Paix"');

    const added = await visitor.post('/en/account/addresses', { ...address, isDefault: 'true' });
    expect(added.status).toBe(200);
    const list = await added.text();
    expect(list).toContain('The address is saved.');
    expect(list).toContain('12 rue de la Paix');
    const id = /href="\/en\/account\/addresses\/([0-9a-f-]{36})"/.exec(list)?.[1] ?? '';
    expect(id).not.toBe('');

    const edited = await visitor.post(`/en/account/addresses/${id}`, {
      ...address,
      intent: 'edit',
      city: 'Lyon',
      postalCode: '69001',
    });
    expect(edited.status).toBe(302);
    expect(edited.headers.get('location')).toBe('/en/account/addresses?saved=1');
    expect(await (await visitor.get('/en/account/addresses')).text()).toContain('69001 Lyon');

    // Someone else's (or a made-up) address id is this site's 404.
    const other = await signedIn(await registeredCustomer());
    expect((await other.get(`/en/account/addresses/${id}`)).status).toBe(404);
    expect((await other.get('/en/account/addresses/not-a-uuid')).status).toBe(404);

    const deleted = await visitor.post('/en/account/addresses', {
      intent: 'delete',
      addressId: id,
      _csrf: csrf,
    });
    expect(deleted.status).toBe(200);
    expect(await deleted.text()).toContain('The address is deleted.');
  });
});

describe('password reset and email change without JavaScript', () => {
  it('resets a forgotten password from the emailed link; the old password stops working', async () => {
    const { email, password } = await registeredCustomer();
    const visitor = new Visitor();
    const asked = await visitor.post('/en/account/forgot-password', { email });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('If an account uses this address');
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(email) && /reset-password/.test(m.text),
    );
    const link = /https?:\/\/\S+\/en\/account\/reset-password#token=[A-Za-z0-9_-]+/.exec(
      mail.text,
    )?.[0];
    expect(link).toBeDefined();

    const weak = await visitor.post('/en/account/reset-password', {
      token: link ?? '',
      password: 'short',
    });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toMatch(
      /id="field-password-error" class="field-error">Use at least 12/,
    );

    const newPassword = strongPassword();
    const reset = await visitor.post('/en/account/reset-password', {
      token: link ?? '',
      password: newPassword,
    });
    expect(reset.status).toBe(302);
    expect(reset.headers.get('location')).toBe('/en/account/sign-in?passwordReset=1');
    expect(await (await visitor.get('/en/account/sign-in?passwordReset=1')).text()).toContain(
      'Your password has been changed.',
    );
    // Single use.
    const again = await visitor.post('/en/account/reset-password', {
      token: link ?? '',
      password: strongPassword(),
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This link is not valid or has expired.');

    expect((await new Visitor().post('/en/account/sign-in', { email, password })).status).toBe(401);
    await signedIn({ email, password: newPassword });
  });

  it('changes the password: the current one is checked, other devices are signed out, this one stays', async () => {
    const credentials = await registeredCustomer();
    const visitor = await signedIn(credentials);
    const other = await signedIn(credentials);
    const csrf = await visitor.csrf('/en/account/security');
    const newPassword = strongPassword();
    const wrong = await visitor.post('/en/account/security', {
      intent: 'password',
      currentPassword: 'not-the-password-123',
      newPassword,
      signOutOtherSessions: 'true',
      _csrf: csrf,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toMatch(
      /id="field-currentPassword-error" class="field-error">Your current password is not correct./,
    );
    const changed = await visitor.post('/en/account/security', {
      intent: 'password',
      currentPassword: credentials.password,
      newPassword,
      signOutOtherSessions: 'true',
      _csrf: csrf,
    });
    // The session got a new id in this very request; the page is rendered with it.
    expect(changed.status).toBe(200);
    const html = await changed.text();
    expect(html).toContain('Your password has been changed.');
    expect(csrfIn(html)).not.toBe(csrf);
    expect((await visitor.get('/en/account')).status).toBe(200);
    expect((await other.get('/en/account')).status).toBe(302);
    await signedIn({ email: credentials.email, password: newPassword });
  });

  it('asks to confirm it is you once the step-up window has passed, then changes the email', async () => {
    const credentials = await registeredCustomer();
    const visitor = await signedIn(credentials);
    const csrf = await visitor.csrf('/en/account/security');
    const newEmail = uniqueEmail('moved');
    await ageSignIn(visitor, STEP_UP_SECONDS + 1);

    const refused = await visitor.post('/en/account/security', {
      intent: 'email',
      newEmail,
      _csrf: csrf,
    });
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toBe(
      '/en/account/reauthenticate?returnTo=%2Fen%2Faccount%2Fsecurity',
    );
    const reauth = await visitor.get(refused.headers.get('location') ?? '');
    const page = await reauth.text();
    expect(page).toContain('Confirm it');
    const wrong = await visitor.post('/en/account/reauthenticate', {
      password: 'not-the-password-123',
      returnTo: '/en/account/security',
      _csrf: csrf,
    });
    expect(wrong.status).toBe(401);
    const confirmed = await visitor.post('/en/account/reauthenticate', {
      password: credentials.password,
      returnTo: '/en/account/security',
      _csrf: csrf,
    });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get('location')).toBe('/en/account/security');

    // The step-up gave the session a new id and token: the form is read again.
    const csrf2 = await visitor.csrf('/en/account/security');
    expect(csrf2).not.toBe(csrf);
    const changed = await visitor.post('/en/account/security', {
      intent: 'email',
      newEmail,
      _csrf: csrf2,
    });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('We have sent a confirmation link to the new address.');

    const mail = await stack.mail.waitFor((m) => m.to.includes(newEmail));
    const link = /https?:\/\/\S+\/account\/confirm-email-change#token=[A-Za-z0-9_-]+/.exec(
      mail.text,
    )?.[0];
    const done = await visitor.post('/en/account/confirm-email-change', {
      token: link ?? '',
      _csrf: await visitor.csrf('/en/account/confirm-email-change'),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your email address has been changed.');
    await signedIn({ email: newEmail, password: credentials.password });
  });
});

describe('staff: invitation and the second factor forced at first sign-in', () => {
  it('chooses a password from the invitation, then must set up TOTP before anything else', async () => {
    const email = uniqueEmail('admin');
    // The one-time bootstrap command prints the invitation link (without a language).
    const printed = execFileSync(
      process.execPath,
      [
        new URL('../../api/dist/cli.js', import.meta.url).pathname,
        'admin:create',
        '--email',
        email,
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          DATABASE_URL: stack.databaseUrl,
          PUBLIC_BASE_URL: stack.webUrl,
          MAIL_WORKER: 'off',
        },
      },
    );
    const link = new URL(
      /https?:\/\/\S+\/admin\/accept-invitation#token=\S+/.exec(printed)?.[0] ?? '',
    );
    const visitor = new Visitor();
    const redirected = await visitor.get(link.pathname);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('/en/admin/accept-invitation');

    const customerLength = await visitor.post('/en/admin/accept-invitation', {
      token: link.toString(),
      password: 'twelve chars',
    });
    expect(customerLength.status).toBe(422);
    expect(await customerLength.text()).toContain('Use at least 15 characters');
    const password = strongPassword();
    const accepted = await visitor.post('/en/admin/accept-invitation', {
      token: link.toString(),
      password,
    });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get('location')).toBe('/en/account/sign-in?invited=1');

    const signIn = await visitor.post('/en/account/sign-in', { email, password });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toBe('/en/account/two-factor');
    // Nothing else opens until a second factor exists.
    const blocked = await visitor.get('/en/account/orders');
    expect(blocked.status).toBe(302);
    expect(blocked.headers.get('location')).toBe(
      '/en/account/two-factor?returnTo=%2Fen%2Faccount%2Forders',
    );
    const page = await (await visitor.get('/en/account/two-factor')).text();
    expect(page).toContain('Your account must use two-step verification.');
    const csrf = csrfIn(page) ?? '';
    const begun = await (
      await visitor.post('/en/account/two-factor', { intent: 'begin', _csrf: csrf })
    ).text();
    const secret = /name="secret" value="([A-Z2-7]+=*)"/.exec(begun)?.[1] ?? '';
    const confirmed = await visitor.post('/en/account/two-factor', {
      intent: 'confirm',
      code: totp(secret),
      _csrf: csrf,
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Your recovery codes');
    const home = await visitor.get('/en/account');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(`Signed in as ${email}`);
  });
});

describe('orders and devices', () => {
  it('lists the customer’s orders and opens one by id or by the number the email links to; another customer gets a 404', async () => {
    const visitor = await signedIn(await registeredCustomer());
    // An order placed through the API (the buying pages are tested elsewhere).
    const list = (await (await visitor.get('/api/products?sort=price_asc')).json()) as {
      items: { slug: string; inStock: boolean }[];
    };
    let variantId = '';
    for (const item of list.items.filter((i) => i.inStock)) {
      const product = (await (await visitor.get(`/api/products/${item.slug}`)).json()) as {
        variants: { id: string; stockStatus: string }[];
      };
      variantId = product.variants.find((v) => v.stockStatus === 'in_stock')?.id ?? '';
      if (variantId) break;
    }
    const added = await visitor.api('/api/cart/lines', 'POST', { variantId, quantity: 2 });
    expect(added.status).toBe(200);
    const checkout = await visitor.api('/api/checkout', 'POST', {
      checkoutKey: randomBytes(12).toString('hex'),
      shippingAddress: {
        fullName: 'Ada Lovelace',
        line1: '12 rue de la Paix',
        postalCode: '75002',
        city: 'Paris',
        country: 'FR',
      },
      shippingMethod: 'standard',
      locale: 'en',
    });
    expect(checkout.status, await checkout.clone().text()).toBeLessThan(300);
    const order = (await checkout.json()) as { orderId: string; orderNumber: string };

    const orders = await (await visitor.get('/en/account/orders')).text();
    expect(orders).toContain(`href="/en/account/orders/${order.orderId}"`);
    expect(orders).toContain(order.orderNumber);
    expect(orders).toContain('Awaiting payment');
    const byId = await visitor.get(`/en/account/orders/${order.orderId}`);
    expect(byId.status).toBe(200);
    const detail = await byId.text();
    expect(detail).toContain(`Order ${order.orderNumber}`);
    expect(detail).toContain('12 rue de la Paix');
    expect(byId.headers.get('cache-control')).toBe('no-store');
    const byNumber = await visitor.get(`/en/account/orders/${order.orderNumber}`);
    expect(byNumber.status).toBe(200);
    expect(await byNumber.text()).toContain(`Order ${order.orderNumber}`);

    const other = await signedIn(await registeredCustomer());
    expect((await other.get(`/en/account/orders/${order.orderId}`)).status).toBe(404);
    expect((await other.get(`/en/account/orders/${order.orderNumber}`)).status).toBe(404);
    // Only an order id or number reaches the API's path.
    expect((await other.get('/en/account/orders/%2e%2e%2fsessions')).status).toBe(404);
  });

  it('lists the devices and signs one out, or all the others', async () => {
    const credentials = await registeredCustomer();
    const laptop = await signedIn(credentials);
    const phone = await signedIn(credentials);
    const tablet = await signedIn(credentials);
    const page = await (await laptop.get('/en/account/sessions')).text();
    const handles = [...page.matchAll(/name="session" value="([A-Za-z0-9_-]{16})"/g)].map(
      (m) => m[1] ?? '',
    );
    expect(handles).toHaveLength(2);
    const csrf = csrfIn(page) ?? '';

    const forged = await laptop.post('/en/account/sessions', {
      intent: 'revoke',
      session: 'AAAAAAAAAAAAAAAA',
      _csrf: csrf,
    });
    expect(forged.status).toBe(404);

    const one = await laptop.post('/en/account/sessions', {
      intent: 'revoke',
      session: handles[0] ?? '',
      _csrf: csrf,
    });
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('That device is signed out.');
    const statuses = [
      (await phone.get('/en/account')).status,
      (await tablet.get('/en/account')).status,
    ].sort();
    expect(statuses).toEqual([200, 302]);

    const others = await laptop.post('/en/account/sessions', {
      intent: 'revoke-others',
      _csrf: csrf,
    });
    expect(others.status).toBe(200);
    expect(await others.text()).toContain('1 other device signed out.');
    expect((await phone.get('/en/account')).status).toBe(302);
    expect((await tablet.get('/en/account')).status).toBe(302);
    expect((await laptop.get('/en/account')).status).toBe(200);
  });
});

function totp(secret: string): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  }).generate();
}
