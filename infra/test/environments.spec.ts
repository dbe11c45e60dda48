/** The environment configuration refuses values that would break the architecture's guarantees. */
import { describe, expect, it } from 'vitest';
import {
  ENVIRONMENTS,
  PRODUCTION,
  mailFromAddress,
  mailFromDomain,
  resolveEnvironment,
  validateEnvironment,
  type EnvironmentConfig,
} from '../src/config/environments.ts';

/** The validation error for production with `patch` applied, or `undefined` when it passes. */
function errorFor(patch: Partial<EnvironmentConfig>): string | undefined {
  try {
    validateEnvironment({ ...PRODUCTION, ...patch });
    return undefined;
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe('environment configuration', () => {
  it('accepts every shipped environment', () => {
    for (const name of Object.keys(ENVIRONMENTS)) {
      expect(resolveEnvironment(name).name).toBe(name);
    }
    expect(errorFor({})).toBeUndefined();
  });

  it('refuses an unknown environment name', () => {
    expect(() => {
      resolveEnvironment('nope');
    }).toThrow(/Unknown environment/);
  });

  it('refuses a non-EU primary or global-database region', () => {
    expect(errorFor({ primaryRegion: 'us-east-1' as never })).toMatch(/EU region/);
    expect(
      errorFor({
        database: { ...PRODUCTION.database, globalSecondaryRegion: 'us-west-2' as never },
      }),
    ).toMatch(/globalSecondaryRegion/);
  });

  it('refuses fewer than three tasks, fewer than two readers or less than 35-day PITR', () => {
    expect(errorFor({ api: { ...PRODUCTION.api, minTasks: 2 } })).toMatch(/minTasks/);
    expect(errorFor({ database: { ...PRODUCTION.database, readers: 1 } })).toMatch(/readers/);
    expect(errorFor({ database: { ...PRODUCTION.database, backupRetentionDays: 7 } })).toMatch(
      /backupRetentionDays/,
    );
  });

  it('sends mail only from the shop domain, through SES in an EU region, with ≥ 2 workers', () => {
    const mail = (patch: Partial<EnvironmentConfig['mail']>) => ({
      mail: { ...PRODUCTION.mail, ...patch },
    });
    expect(errorFor(mail({ from: 'Shop <no-reply@elsewhere.example>' }))).toMatch(/domainName/);
    expect(errorFor(mail({ from: 'no-reply@mail.shop.example.com' }))).toBeUndefined();
    expect(errorFor(mail({ from: 'not an address' }))).toMatch(/mail.from/);
    expect(errorFor(mail({ sesRegion: 'us-east-1' as never }))).toMatch(/sesRegion/);
    expect(errorFor(mail({ worker: { ...PRODUCTION.mail.worker, minTasks: 1 } }))).toMatch(
      /minTasks/,
    );
  });

  it('reads the address and domain of MAIL_FROM', () => {
    expect(mailFromAddress('Storefront <no-reply@Shop.Example.com>')).toBe(
      'no-reply@Shop.Example.com',
    );
    expect(mailFromDomain('Storefront <no-reply@Shop.Example.com>')).toBe('shop.example.com');
    expect(mailFromDomain('orders@shop.example.com')).toBe('shop.example.com');
  });

  it('refuses an audit verification schedule that is not an EventBridge expression', () => {
    expect(errorFor({ auditVerifySchedule: '15 3 * * *' })).toMatch(/auditVerifySchedule/);
  });

  it('requires organisation settings outside single-account mode', () => {
    expect(errorFor({ singleAccount: false, organisation: undefined })).toMatch(/organisation/);
  });
});
