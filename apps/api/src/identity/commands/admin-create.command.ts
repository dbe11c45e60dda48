import { createApp } from '../../app.factory';
import type { AppConfig } from '../../config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { EmailSchema } from '@storefront/contracts';
import { MAIL_LINK_PATHS } from '../../mail/mail-templates';
import { StaffService } from '../staff.service';

/**
 * `npm run admin:create -- --email you@example.com`: the one-time bootstrap of the first
 * administrator. It creates the account with no password and prints a single-use invitation link
 * (also valid for `EMAIL_VERIFICATION_TTL_SECONDS`) to choose one; the administrator then enrols
 * a second factor at first sign-in. Refused once any administrator exists: there is no default
 * account or password anywhere, and further staff are invited from the back office.
 */
export async function adminCreate(
  config: AppConfig,
  argv: string[],
  out: (line: string) => void,
): Promise<number> {
  const flag = argv.indexOf('--email');
  const parsed = EmailSchema.safeParse(flag >= 0 ? argv[flag + 1] : undefined);
  if (!parsed.success) {
    out('usage: admin:create --email <address>');
    return 64;
  }
  const app = await createApp({ ...config, log: { level: 'warn' } });
  try {
    const { id, token } = await app.get(StaffService).bootstrapAdministrator(parsed.data);
    const base = config.mail.publicBaseUrl;
    out(`administrator ${id} created.`);
    out('Open this link once to choose a password (then enrol a second factor at first sign-in):');
    out(`${base}${MAIL_LINK_PATHS.acceptStaffInvitation}#token=${token}`);
    return 0;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'CONFLICT') {
      out(
        'refused: an administrator already exists (or the address is taken); invite staff from the back office',
      );
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}
