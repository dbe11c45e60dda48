import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions, iamAuthToken } from './data-source-options';

const PROXY =
  'postgres://storefront_app@storefront-proxy.proxy-abc.eu-west-3.rds.amazonaws.com:5432/shop';

describe('IAM database authentication (RDS Proxy)', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    // Throwaway credentials: signing is local SigV4 presigning, no AWS call is made.
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLETEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
    });
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('signs a fresh token for the URL’s host, port and user as each connection’s password', async () => {
    const config = loadConfig({
      DATABASE_URL: PROXY,
      DATABASE_AUTH: 'iam',
      DATABASE_SSL: 'verify-full',
    });
    const options = dataSourceOptions(config) as {
      url?: string;
      host?: string;
      username?: string;
      database?: string;
      password?: unknown;
      ssl: unknown;
    };
    // No connection string: pg would let it override the password function.
    expect(options.url).toBeUndefined();
    expect(options).toMatchObject({ username: 'storefront_app', database: 'shop' });
    expect(typeof options.password).toBe('function');
    const token = await (options.password as () => Promise<string>)();
    expect(token).toMatch(
      /^storefront-proxy\.proxy-abc\.eu-west-3\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=storefront_app&/,
    );
    expect(token).toContain('X-Amz-Signature=');
    expect(token).toContain('X-Amz-Expires=900');
    // verify-full without a CA file verifies against Node's public roots.
    expect(options.ssl).toEqual({ rejectUnauthorized: true });
  });

  it('leaves passwords in the URL alone with DATABASE_AUTH=password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:pw@db:5432/shop' });
    const options = dataSourceOptions(config) as { url?: string; password?: unknown };
    expect(options.url).toBe('postgres://u:pw@db:5432/shop');
    expect(options.password).toBeUndefined();
  });

  it('refuses IAM authentication without TLS or with a password in the URL', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ DATABASE_URL: PROXY, DATABASE_AUTH: 'iam' })).toContainEqual(
      expect.stringMatching(/^DATABASE_SSL: IAM authentication tokens are only sent over TLS/),
    );
    expect(
      problems({
        DATABASE_URL: 'postgres://u:leaked@proxy:5432/shop',
        DATABASE_AUTH: 'iam',
        DATABASE_SSL: 'verify-full',
      }),
    ).toContainEqual(expect.stringMatching(/^DATABASE_URL: must carry no password/));
  });

  it('reaches pg as a password function (a connection string would override it)', () => {
    const options = dataSourceOptions(
      loadConfig({ DATABASE_URL: PROXY, DATABASE_AUTH: 'iam', DATABASE_SSL: 'verify-full' }),
    ) as { host: string; port: number; username: string; database: string; password: unknown };
    const client = new pg.Client({
      host: options.host,
      port: options.port,
      user: options.username,
      database: options.database,
      password: options.password as () => Promise<string>,
    }) as unknown as { password: unknown };
    expect(typeof client.password).toBe('function');
  });

  it('signs for the user of the URL it is given (migration connection)', async () => {
    const token = await iamAuthToken('postgres://storefront_migrator@proxy.example:6432/shop')();
    expect(token).toMatch(/^proxy\.example:6432\/\?Action=connect&DBUser=storefront_migrator&/);
  });
});
