import { DataSource } from 'typeorm';
import { createApp } from '../app.factory';
import { systemActor } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import type { AppConfig } from '../config/app-config';
import { CouponsService, type CouponTerms } from './coupons.service';

export const COUPONS_CREATE_USAGE =
  'usage: coupons:create (--percent 1-100 | --amount CENTS) [--min-subtotal CENTS] ' +
  '[--valid-from ISO-INSTANT] (--valid-until ISO-INSTANT | --days N) ' +
  '[--max-redemptions N] [--per-customer N]';

const MAX_INT = 2_147_483_647;

/** Parses the flags of `coupons:create`; a string names the first problem. */
export function parseCouponTerms(argv: readonly string[], now: Date): CouponTerms | string {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name?.startsWith('--') || value === undefined || flags.has(name)) {
      return `unexpected argument: ${name ?? ''}`;
    }
    flags.set(name, value);
  }
  const known = [
    '--percent',
    '--amount',
    '--min-subtotal',
    '--valid-from',
    '--valid-until',
    '--days',
    '--max-redemptions',
    '--per-customer',
  ];
  for (const name of flags.keys()) if (!known.includes(name)) return `unknown flag: ${name}`;

  const integer = (name: string, min: number, max: number): number | null | string => {
    const raw = flags.get(name);
    if (raw === undefined) return null;
    if (!/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      return `${name} must be a whole number from ${min} to ${max}`;
    }
    return Number(raw);
  };
  const instant = (name: string): Date | null | string => {
    const raw = flags.get(name);
    if (raw === undefined) return null;
    const parsed = new Date(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(parsed.getTime())) {
      return `${name} must be an ISO 8601 instant, e.g. 2026-12-01T00:00:00Z`;
    }
    return parsed;
  };

  const percent = integer('--percent', 1, 100);
  const amount = integer('--amount', 1, MAX_INT);
  const minSubtotal = integer('--min-subtotal', 0, MAX_INT);
  const days = integer('--days', 1, 3_650);
  const maxRedemptions = integer('--max-redemptions', 1, MAX_INT);
  const perCustomer = integer('--per-customer', 1, MAX_INT);
  const validFrom = instant('--valid-from');
  const validUntil = instant('--valid-until');
  for (const value of [percent, amount, minSubtotal, days, maxRedemptions, perCustomer]) {
    if (typeof value === 'string') return value;
  }
  for (const value of [validFrom, validUntil]) if (typeof value === 'string') return value;
  if ((percent === null) === (amount === null)) return 'give exactly one of --percent or --amount';
  if ((validUntil === null) === (days === null))
    return 'give exactly one of --valid-until or --days';
  const from = (validFrom as Date | null) ?? now;
  const until =
    (validUntil as Date | null) ?? new Date(from.getTime() + (days as number) * 86_400_000);
  if (until.getTime() <= from.getTime()) return 'the coupon must end after it starts';
  return {
    discountKind: percent !== null ? 'percent' : 'fixed',
    discountValue: (percent ?? amount) as number,
    minSubtotal: (minSubtotal as number | null) ?? 0,
    validFrom: from,
    validUntil: until,
    maxRedemptions: maxRedemptions as number | null,
    maxRedemptionsPerCustomer: perCustomer as number | null,
  };
}

/**
 * `node apps/api/dist/cli.js coupons:create --percent 10 --days 30 --max-redemptions 500
 * --per-customer 1`: creates a coupon and prints its code, once. Only its SHA-256 digest is
 * stored, so the code cannot be shown again: hand it out from this output. Run by an operator
 * with database access (in AWS, the one-off task with the runtime role); there is no coupon route
 * in the API, so no web session can mint one. The creation and its terms are recorded in the
 * audit trail (`coupon.created`) in the same transaction: a discount nobody can account for
 * cannot exist.
 */
export async function couponsCreate(
  config: AppConfig,
  argv: readonly string[],
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  const terms = parseCouponTerms(argv, new Date());
  if (typeof terms === 'string') {
    io.err(terms);
    io.err(COUPONS_CREATE_USAGE);
    return 64;
  }
  const app = await createApp({ ...config, log: { level: 'warn' } });
  try {
    const events = app.get(SecurityEvents);
    const { id, code } = await app.get(DataSource).transaction(async (manager) => {
      const created = await app.get(CouponsService).create(terms, manager);
      await events.emit(
        { actor: systemActor('cli:coupons-create') },
        {
          name: 'coupon.created',
          target: { type: 'coupon', id: created.id },
          details: {
            discountKind: terms.discountKind,
            discountValue: terms.discountValue,
            minSubtotal: terms.minSubtotal,
            validFrom: terms.validFrom.toISOString(),
            validUntil: terms.validUntil.toISOString(),
            maxRedemptions: terms.maxRedemptions,
            maxRedemptionsPerCustomer: terms.maxRedemptionsPerCustomer,
            // The same last four symbols the coupons table keeps as its hint.
            codeHint: created.code.replaceAll('-', '').slice(-4),
          },
        },
        manager,
      );
      return created;
    });
    io.out(`coupon ${id} created`);
    io.out(
      `  ${terms.discountKind === 'percent' ? `${terms.discountValue} %` : `${terms.discountValue} cents`} off` +
        ` from ${terms.validFrom.toISOString()} until ${terms.validUntil.toISOString()}` +
        `, minimum subtotal ${terms.minSubtotal} cents` +
        `, uses ${terms.maxRedemptions ?? 'unlimited'} (per customer ${terms.maxRedemptionsPerCustomer ?? 'unlimited'})`,
    );
    io.out('Code (shown only this once; only its digest is stored):');
    io.out(code);
    return 0;
  } finally {
    await app.close();
  }
}
