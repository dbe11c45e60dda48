import { z } from 'zod';

/**
 * What a caller may put in the outbox: one of the transactional templates, a locale, the
 * recipient and the template's parameters. Every parameter is validated here, at enqueue time,
 * inside the caller's transaction, so a malformed message fails the business change instead of
 * dying later in the worker. Parameters are plain text: the renderer escapes all of them.
 */

/** Locales the templates are written in. */
export const MAIL_LOCALES = ['en', 'fr'] as const;
/** A locale the templates are written in. */
export type MailLocale = (typeof MAIL_LOCALES)[number];

/** An emailed single-use token: ≥ 32 random bytes in base64url (43+ characters). */
const token = z.string().regex(/^[A-Za-z0-9_-]{43,256}$/, 'must be a base64url token');
/** A short free text that came from a client (user agent, place name): bounded, single line. */
const shortText = z
  .string()
  .max(200)
  .regex(/^[^\r\n]*$/, 'must be a single line');
const instant = z.iso.datetime({ offset: true });
const minutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);
const name = shortText.min(1).max(100).optional();

/** Parameters of each template (personal data included: they are stored sealed). */
export const MAIL_TEMPLATE_PARAMS = {
  /** Link that proves the customer owns the address given at registration. */
  'email-verification': z.strictObject({ token, expiresInMinutes: minutes, name }),
  /** Link that lets the owner of the address choose a new password. */
  'password-reset': z.strictObject({ token, expiresInMinutes: minutes, name }),
  /** Link sent to a new address to confirm an email change. */
  'email-change': z.strictObject({ token, expiresInMinutes: minutes, name }),
  /** Link inviting a new staff member to choose a password (staff are created by an admin). */
  'staff-invitation': z.strictObject({ token, expiresInMinutes: minutes, name }),
  /** Notice to the previous address after the account's email changed. */
  'email-changed': z.strictObject({ changedAt: instant, name }),
  /** Notice after the password changed, with the way back if it was not the owner. */
  'password-changed': z.strictObject({ changedAt: instant, name }),
  /**
   * Sent instead of a verification link when someone registers with an address that already has
   * an account: the registration answer stays identical, only the mailbox owner learns the truth.
   */
  'account-exists': z.strictObject({ name }),
  /** Notice of a sign-in from a new device. */
  'new-sign-in': z.strictObject({
    signedInAt: instant,
    device: shortText.optional(),
    ipAddress: shortText.optional(),
    name,
  }),
  /** Notice that a second factor was added, removed or reset. */
  'mfa-changed': z.strictObject({
    change: z.enum([
      'totp-enabled',
      'totp-disabled',
      'passkey-added',
      'passkey-removed',
      'recovery-codes-regenerated',
    ]),
    changedAt: instant,
    name,
  }),
  /**
   * Placeholder for the orders context: the order reference and a link to it. The orders issue
   * extends the parameters (lines, totals, address) and the body.
   */
  'order-confirmation': z.strictObject({
    orderNumber: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be an order reference'),
    name,
    /** A guest's order link token (customers see the order in their account instead). */
    guestToken: token.optional(),
  }),
} as const;

/** The name of a transactional template. */
export type MailTemplateName = keyof typeof MAIL_TEMPLATE_PARAMS;
/** Every template name, for checks and docs. */
export const MAIL_TEMPLATE_NAMES = Object.keys(MAIL_TEMPLATE_PARAMS) as MailTemplateName[];

/** The parameters of template `T`. */
export type MailTemplateParams<T extends MailTemplateName> = z.input<
  (typeof MAIL_TEMPLATE_PARAMS)[T]
>;

/** One message to send, as handed to {@link MailOutbox.enqueue}. */
export type MailMessage = {
  [T in MailTemplateName]: {
    template: T;
    locale: MailLocale;
    /** The recipient's address (stored sealed, erased once sent). */
    to: string;
    params: MailTemplateParams<T>;
  };
}[MailTemplateName];

const recipient = z.email().max(254);

/** Thrown when a message does not match its template (a programming error, never user input). */
export class MailMessageError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid mail message: ${issues.join('; ')}`);
    this.name = 'MailMessageError';
  }
}

/**
 * Checks a message against its template. The error lists field paths only, never the values
 * (they are personal data).
 */
export function validateMailMessage(message: MailMessage): MailMessage {
  const issues: string[] = [];
  const schema = (MAIL_TEMPLATE_PARAMS as Record<string, z.ZodType | undefined>)[message.template];
  if (!schema) throw new MailMessageError([`template: unknown template`]);
  if (!(MAIL_LOCALES as readonly string[]).includes(message.locale)) issues.push('locale: unknown');
  if (!recipient.safeParse(message.to).success) issues.push('to: not an email address');
  const params = schema.safeParse(message.params);
  if (!params.success) {
    for (const issue of params.error.issues) {
      issues.push(`params.${issue.path.join('.')}: ${issue.message}`);
    }
  }
  if (issues.length > 0) throw new MailMessageError(issues);
  return { ...message, params: params.data } as MailMessage;
}

/** Parses stored parameters back into the shape of their template (the worker's side). */
export function parseTemplateParams(
  template: string,
  params: unknown,
): { template: MailTemplateName; params: Record<string, unknown> } {
  const schema = (MAIL_TEMPLATE_PARAMS as Record<string, z.ZodType | undefined>)[template];
  if (!schema) throw new MailMessageError([`template: unknown template`]);
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new MailMessageError(parsed.error.issues.map((i) => `params.${i.path.join('.')}`));
  }
  return { template: template as MailTemplateName, params: parsed.data as Record<string, unknown> };
}
