import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A mail the shop sent, as the stack's SMTP listener received it. */
export interface SentMail {
  to: string[];
  subject: string;
  text: string;
}

/** Where start-full-stack.mjs writes received mail (set by playwright.config.ts). */
export const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';

/** Every mail received so far, oldest first. */
export function sentMail(): SentMail[] {
  return readdirSync(MAIL_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(MAIL_DIR, f), 'utf8')) as SentMail);
}

/** Waits (up to 15 s) for a mail to `to` whose subject matches, and returns it. */
export async function waitForMail(to: string, subject: RegExp): Promise<SentMail> {
  for (let i = 0; i < 150; i++) {
    const found = sentMail().find(
      (m) => m.to.some((r) => r.toLowerCase() === to.toLowerCase()) && subject.test(m.subject),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${String(subject)}`);
}

/** The first link of a mail under `path` (e.g. `/account/verify-email`), fragment included. */
export function linkIn(mail: SentMail, path: string): URL {
  const match = new RegExp(`https?://[^\\s>"]*${path.replace(/[/.]/g, '\\$&')}[^\\s>"]*`).exec(
    mail.text,
  );
  if (!match) throw new Error(`no ${path} link in "${mail.subject}"`);
  return new URL(match[0]);
}
