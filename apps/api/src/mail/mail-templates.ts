import type { MailLocale, MailTemplateName } from './mail-message';

/**
 * The transactional templates, in English and French, and the one renderer that turns them into a
 * plain-text and an HTML body.
 *
 * Templates never write HTML: each returns structured plain text (a subject, paragraphs, an
 * optional call to action), and {@link renderMail} escapes every string when it builds the HTML
 * part. A parameter therefore cannot inject markup, whichever template it goes into.
 */

/** A rendered message, ready for a transport. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** What the renderer needs besides the parameters. */
export interface MailRenderContext {
  /** Public base URL of the storefront (links are built from it). */
  publicBaseUrl: string;
  /** The shop's display name (subjects and footers). */
  shopName: string;
}

/** Where the storefront serves the pages that emails link to, inside the mail's language: a link
 * is `PUBLIC_BASE_URL` + `/<locale>` + the path (`/fr/account/verify-email`), so the page opens in
 * the language the mail was written in (the storefront also redirects the unprefixed paths, for
 * older mails). Tokens travel in the fragment (`#token=…`), which browsers never send to a server,
 * so they stay out of access logs, proxies and `Referer` headers; the page reads it and POSTs it
 * to the API. */
export const MAIL_LINK_PATHS = {
  verifyEmail: '/account/verify-email',
  resetPassword: '/account/reset-password',
  confirmEmailChange: '/account/confirm-email-change',
  acceptStaffInvitation: '/admin/accept-invitation',
  forgotPassword: '/account/forgot-password',
  signIn: '/account/sign-in',
  security: '/account/security',
  order: '/account/orders/',
  guestOrder: '/orders/view',
} as const;

interface MailContent {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Paragraphs after the call to action. */
  after?: string[];
}

type Params = Record<string, unknown>;
type Template = (params: Params, helpers: Helpers) => MailContent;

interface Helpers {
  link(path: string, fragmentToken?: string): string;
  date(iso: unknown): string;
  shop: string;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** A guest's order page (token in the fragment), or the order in the customer's account. */
const orderLink = (p: Params, h: Helpers): string =>
  typeof p['guestToken'] === 'string'
    ? h.link(MAIL_LINK_PATHS.guestOrder, p['guestToken'])
    : h.link(MAIL_LINK_PATHS.order + encodeURIComponent(str(p['orderNumber'])));

const ENGLISH: Record<MailTemplateName, Template> = {
  'email-verification': (p, h) => ({
    subject: `Confirm your email address — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `Welcome to ${h.shop}. Please confirm your email address to finish creating your account.`,
    ],
    action: {
      label: 'Confirm my email address',
      url: h.link(MAIL_LINK_PATHS.verifyEmail, str(p['token'])),
    },
    after: [
      `This link works once and expires in ${durationEn(num(p['expiresInMinutes']))}.`,
      'If you did not create an account, ignore this email: nothing will happen.',
    ],
  }),
  'password-reset': (p, h) => ({
    subject: `Reset your password — ${h.shop}`,
    paragraphs: [greetingEn(p), `Someone asked to reset the password of your ${h.shop} account.`],
    action: {
      label: 'Choose a new password',
      url: h.link(MAIL_LINK_PATHS.resetPassword, str(p['token'])),
    },
    after: [
      `This link works once and expires in ${durationEn(num(p['expiresInMinutes']))}.`,
      'If you did not ask for it, ignore this email: your password stays as it is.',
    ],
  }),
  'email-change': (p, h) => ({
    subject: `Confirm your new email address — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `Please confirm that this address should become the email of your ${h.shop} account.`,
    ],
    action: {
      label: 'Confirm this address',
      url: h.link(MAIL_LINK_PATHS.confirmEmailChange, str(p['token'])),
    },
    after: [
      `This link works once and expires in ${durationEn(num(p['expiresInMinutes']))}.`,
      'If you did not ask for this change, ignore this email.',
    ],
  }),
  'staff-invitation': (p, h) => ({
    subject: `You are invited to the ${h.shop} back office`,
    paragraphs: [
      greetingEn(p),
      `An administrator created a staff account for you at ${h.shop}. Choose your password to activate it; you will then set up two-step verification.`,
    ],
    action: {
      label: 'Choose my password',
      url: h.link(MAIL_LINK_PATHS.acceptStaffInvitation, str(p['token'])),
    },
    after: [
      `This link works once and expires in ${durationEn(num(p['expiresInMinutes']))}.`,
      'If you did not expect this invitation, ignore this email.',
    ],
  }),
  'email-changed': (p, h) => ({
    subject: `Your email address was changed — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `The email address of your ${h.shop} account was changed on ${h.date(p['changedAt'])}. Messages now go to the new address.`,
      'If this was you, there is nothing more to do. If it was not, reset your password right away and contact our support.',
    ],
    action: { label: 'Reset my password', url: h.link(MAIL_LINK_PATHS.forgotPassword) },
  }),
  'password-changed': (p, h) => ({
    subject: `Your password was changed — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `The password of your ${h.shop} account was changed on ${h.date(p['changedAt'])}.`,
      'If this was you, there is nothing more to do.',
      'If it was not you, reset your password now: this also signs out every device.',
    ],
    action: { label: 'Reset my password', url: h.link(MAIL_LINK_PATHS.forgotPassword) },
  }),
  'account-exists': (p, h) => ({
    subject: `You already have an account — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `Someone tried to create a ${h.shop} account with this email address, which already has one.`,
      'If it was you, sign in instead. If you forgot your password, you can choose a new one from the sign-in page.',
    ],
    action: { label: 'Sign in', url: h.link(MAIL_LINK_PATHS.signIn) },
    after: ['If it was not you, ignore this email: your account has not changed.'],
  }),
  'new-sign-in': (p, h) => ({
    subject: `New sign-in to your account — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `Your ${h.shop} account was signed in to on ${h.date(p['signedInAt'])}.`,
      ...details([
        ['Device', str(p['device'])],
        ['IP address', str(p['ipAddress'])],
      ]),
      'If this was you, there is nothing more to do. If not, change your password and review your sessions.',
    ],
    action: { label: 'Review my account security', url: h.link(MAIL_LINK_PATHS.security) },
  }),
  'mfa-changed': (p, h) => ({
    subject: `Your sign-in security changed — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `${MFA_CHANGES_EN[str(p['change'])] ?? 'Your second factor changed'} on ${h.date(p['changedAt'])}.`,
      'If this was you, there is nothing more to do. If not, secure your account now.',
    ],
    action: { label: 'Review my account security', url: h.link(MAIL_LINK_PATHS.security) },
  }),
  'order-confirmation': (p, h) => ({
    subject: `Order ${str(p['orderNumber'])} confirmed — ${h.shop}`,
    paragraphs: [
      greetingEn(p),
      `Thank you for your order ${str(p['orderNumber'])}. We will let you know when it ships.`,
    ],
    action: {
      label: 'View my order',
      url: orderLink(p, h),
    },
  }),
};

const FRENCH: Record<MailTemplateName, Template> = {
  'email-verification': (p, h) => ({
    subject: `Confirmez votre adresse e-mail — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Bienvenue chez ${h.shop}. Confirmez votre adresse e-mail pour terminer la création de votre compte.`,
    ],
    action: {
      label: 'Confirmer mon adresse e-mail',
      url: h.link(MAIL_LINK_PATHS.verifyEmail, str(p['token'])),
    },
    after: [
      `Ce lien ne sert qu’une fois et expire dans ${durationFr(num(p['expiresInMinutes']))}.`,
      'Si vous n’avez pas créé de compte, ignorez cet e-mail : il ne se passera rien.',
    ],
  }),
  'password-reset': (p, h) => ({
    subject: `Réinitialisez votre mot de passe — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Quelqu’un a demandé à réinitialiser le mot de passe de votre compte ${h.shop}.`,
    ],
    action: {
      label: 'Choisir un nouveau mot de passe',
      url: h.link(MAIL_LINK_PATHS.resetPassword, str(p['token'])),
    },
    after: [
      `Ce lien ne sert qu’une fois et expire dans ${durationFr(num(p['expiresInMinutes']))}.`,
      'Si vous n’êtes pas à l’origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.',
    ],
  }),
  'email-change': (p, h) => ({
    subject: `Confirmez votre nouvelle adresse e-mail — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Confirmez que cette adresse doit devenir l’e-mail de votre compte ${h.shop}.`,
    ],
    action: {
      label: 'Confirmer cette adresse',
      url: h.link(MAIL_LINK_PATHS.confirmEmailChange, str(p['token'])),
    },
    after: [
      `Ce lien ne sert qu’une fois et expire dans ${durationFr(num(p['expiresInMinutes']))}.`,
      'Si vous n’avez pas demandé ce changement, ignorez cet e-mail.',
    ],
  }),
  'staff-invitation': (p, h) => ({
    subject: `Invitation à l’espace d’administration de ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Un administrateur vous a créé un compte équipe chez ${h.shop}. Choisissez votre mot de passe pour l’activer ; vous configurerez ensuite la vérification en deux étapes.`,
    ],
    action: {
      label: 'Choisir mon mot de passe',
      url: h.link(MAIL_LINK_PATHS.acceptStaffInvitation, str(p['token'])),
    },
    after: [
      `Ce lien ne sert qu’une fois et expire dans ${durationFr(num(p['expiresInMinutes']))}.`,
      'Si vous n’attendiez pas cette invitation, ignorez cet e-mail.',
    ],
  }),
  'email-changed': (p, h) => ({
    subject: `Votre adresse e-mail a été modifiée — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `L’adresse e-mail de votre compte ${h.shop} a été modifiée le ${h.date(p['changedAt'])}. Les messages partent désormais vers la nouvelle adresse.`,
      'Si c’était vous, vous n’avez rien d’autre à faire. Sinon, contactez-nous sans attendre et réinitialisez votre mot de passe.',
    ],
    action: {
      label: 'Réinitialiser mon mot de passe',
      url: h.link(MAIL_LINK_PATHS.forgotPassword),
    },
  }),
  'password-changed': (p, h) => ({
    subject: `Votre mot de passe a été modifié — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Le mot de passe de votre compte ${h.shop} a été modifié le ${h.date(p['changedAt'])}.`,
      'Si c’était vous, vous n’avez rien d’autre à faire.',
      'Sinon, réinitialisez votre mot de passe maintenant : tous les appareils seront aussi déconnectés.',
    ],
    action: {
      label: 'Réinitialiser mon mot de passe',
      url: h.link(MAIL_LINK_PATHS.forgotPassword),
    },
  }),
  'account-exists': (p, h) => ({
    subject: `Vous avez déjà un compte — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Quelqu’un a essayé de créer un compte ${h.shop} avec cette adresse e-mail, qui en a déjà un.`,
      'Si c’était vous, connectez-vous plutôt. Si vous avez oublié votre mot de passe, vous pouvez en choisir un nouveau depuis la page de connexion.',
    ],
    action: { label: 'Me connecter', url: h.link(MAIL_LINK_PATHS.signIn) },
    after: ['Si ce n’était pas vous, ignorez cet e-mail : votre compte n’a pas changé.'],
  }),
  'new-sign-in': (p, h) => ({
    subject: `Nouvelle connexion à votre compte — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Une connexion à votre compte ${h.shop} a eu lieu le ${h.date(p['signedInAt'])}.`,
      ...details([
        ['Appareil', str(p['device'])],
        ['Adresse IP', str(p['ipAddress'])],
      ]),
      'Si c’était vous, vous n’avez rien d’autre à faire. Sinon, changez votre mot de passe et vérifiez vos sessions.',
    ],
    action: { label: 'Vérifier la sécurité de mon compte', url: h.link(MAIL_LINK_PATHS.security) },
  }),
  'mfa-changed': (p, h) => ({
    subject: `La sécurité de connexion de votre compte a changé — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `${MFA_CHANGES_FR[str(p['change'])] ?? 'Votre second facteur a changé'} le ${h.date(p['changedAt'])}.`,
      'Si c’était vous, vous n’avez rien d’autre à faire. Sinon, sécurisez votre compte maintenant.',
    ],
    action: { label: 'Vérifier la sécurité de mon compte', url: h.link(MAIL_LINK_PATHS.security) },
  }),
  'order-confirmation': (p, h) => ({
    subject: `Commande ${str(p['orderNumber'])} confirmée — ${h.shop}`,
    paragraphs: [
      greetingFr(p),
      `Merci pour votre commande ${str(p['orderNumber'])}. Nous vous préviendrons de son expédition.`,
    ],
    action: {
      label: 'Voir ma commande',
      url: orderLink(p, h),
    },
  }),
};

const MFA_CHANGES_EN: Record<string, string> = {
  'totp-enabled': 'An authenticator app was added to your account',
  'totp-disabled': 'The authenticator app was removed from your account',
  'passkey-added': 'A passkey was added to your account',
  'passkey-removed': 'A passkey was removed from your account',
  'recovery-codes-regenerated': 'New recovery codes were generated for your account',
};

const MFA_CHANGES_FR: Record<string, string> = {
  'totp-enabled': 'Une application d’authentification a été ajoutée à votre compte',
  'totp-disabled': 'L’application d’authentification a été retirée de votre compte',
  'passkey-added': 'Une clé d’accès a été ajoutée à votre compte',
  'passkey-removed': 'Une clé d’accès a été retirée de votre compte',
  'recovery-codes-regenerated': 'De nouveaux codes de secours ont été générés pour votre compte',
};

function greetingEn(p: Params): string {
  const name = str(p['name']);
  return name ? `Hello ${name},` : 'Hello,';
}

function greetingFr(p: Params): string {
  const name = str(p['name']);
  return name ? `Bonjour ${name},` : 'Bonjour,';
}

function details(rows: [string, string][]): string[] {
  return rows.filter(([, value]) => value !== '').map(([label, value]) => `${label}: ${value}`);
}

function durationEn(totalMinutes: number): string {
  if (totalMinutes % 1440 === 0) return plural(totalMinutes / 1440, 'day', 'days');
  if (totalMinutes % 60 === 0) return plural(totalMinutes / 60, 'hour', 'hours');
  return plural(totalMinutes, 'minute', 'minutes');
}

function durationFr(totalMinutes: number): string {
  if (totalMinutes % 1440 === 0) return plural(totalMinutes / 1440, 'jour', 'jours');
  if (totalMinutes % 60 === 0) return plural(totalMinutes / 60, 'heure', 'heures');
  return plural(totalMinutes, 'minute', 'minutes');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const DATE_FORMATS: Record<MailLocale, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
};

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** Subjects are a header: no line breaks, whatever the template produced. */
function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/**
 * Renders template `template` in `locale`. `params` must already be validated against the
 * template's schema (see `mail-message.ts`).
 */
export function renderMail(
  template: MailTemplateName,
  locale: MailLocale,
  params: Params,
  context: MailRenderContext,
): RenderedMail {
  const base = context.publicBaseUrl.replace(/\/+$/, '');
  const helpers: Helpers = {
    shop: context.shopName,
    link: (path, fragmentToken) =>
      fragmentToken === undefined
        ? `${base}/${locale}${path}`
        : `${base}/${locale}${path}#token=${encodeURIComponent(fragmentToken)}`,
    date: (iso) => `${DATE_FORMATS[locale].format(new Date(str(iso)))} UTC`,
  };
  const content = (locale === 'fr' ? FRENCH : ENGLISH)[template](params, helpers);
  const subject = headerSafe(content.subject);
  const footer =
    locale === 'fr'
      ? `Cet e-mail automatique vous est envoyé par ${context.shopName} au sujet de votre compte. Les réponses ne sont pas lues.`
      : `This automatic email is sent by ${context.shopName} about your account. Replies are not read.`;
  return {
    subject,
    text: renderText(content, footer),
    html: renderHtml(content, footer, subject, locale),
  };
}

function renderText(content: MailContent, footer: string): string {
  const blocks = [...content.paragraphs];
  if (content.action) blocks.push(`${content.action.label}:\n${content.action.url}`);
  blocks.push(...(content.after ?? []), '--', footer);
  return `${blocks.join('\n\n')}\n`;
}

function renderHtml(
  content: MailContent,
  footer: string,
  subject: string,
  locale: MailLocale,
): string {
  const p = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
  const parts = content.paragraphs.map(p);
  if (content.action) {
    const href = content.action.url;
    if (!/^https?:\/\//.test(href)) throw new Error('mail links must be http(s)');
    parts.push(
      `<p style="margin:24px 0"><a href="${escapeHtml(href)}" style="background:#1f2937;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p>`,
      `<p style="margin:0 0 16px;font-size:13px;color:#4b5563;word-break:break-all">${escapeHtml(href)}</p>`,
    );
  }
  parts.push(...(content.after ?? []).map(p));
  return [
    '<!doctype html>',
    `<html lang="${locale}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f3f4f6">',
    '<div style="max-width:560px;margin:0 auto;padding:32px 24px;background:#ffffff;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#111827">',
    ...parts,
    `<hr style="border:none;border-top:1px solid #e5e7eb;margin:24px 0"><p style="margin:0;font-size:12px;color:#6b7280">${escapeHtml(footer)}</p>`,
    '</div></body></html>',
    '',
  ].join('\n');
}
