import { describe, expect, it } from 'vitest';
import {
  COMPOSE_RULES,
  checkCompose,
  isOneShot,
  parseCompose,
  services,
} from '../checks/compose.js';
import { fixtures, readDocker } from './helpers.js';

const ruleIds = Object.keys(COMPOSE_RULES);
const text = readDocker('compose.yaml');
const doc = parseCompose(text);
const svc = services(doc);

function get(name: string): Record<string, unknown> {
  const s = svc.get(name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}

describe('docker/compose.yaml', () => {
  it.each(ruleIds)('passes rule %s', (rule) => {
    expect(COMPOSE_RULES[rule]!(doc)).toEqual([]);
  });

  it('has the services of the local stack', () => {
    expect([...svc.keys()].sort()).toEqual([
      'api',
      'mailpit',
      'migrate',
      'postgres',
      'redis',
      'seed',
      'web',
    ]);
  });

  it('publishes only web, api and the mail UI, all on 127.0.0.1', () => {
    const published = [...svc].flatMap(([name, s]) =>
      (Array.isArray(s.ports) ? (s.ports as unknown[]) : []).map((p) => `${name} ${String(p)}`),
    );
    expect(published.sort()).toEqual([
      'api 127.0.0.1:3333:3333',
      'mailpit 127.0.0.1:8025:8025',
      'web 127.0.0.1:3000:3000',
    ]);
  });

  it('keeps PostgreSQL, Redis and the migration job on the internal network only', () => {
    expect(doc.networks).toMatchObject({ data: { internal: true } });
    for (const name of ['postgres', 'redis', 'migrate'])
      expect(get(name).networks).toEqual(['data']);
    expect(get('web').networks).toEqual(['edge']);
  });

  it('runs migrations once, after PostgreSQL is healthy, before the API starts', () => {
    expect(isOneShot(doc, 'migrate')).toBe(true);
    expect(get('migrate').command).toEqual(['node', 'apps/api/dist/cli.js', 'migrate']);
    expect(get('migrate').depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    expect(get('api').depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(get('web').depends_on).toMatchObject({ api: { condition: 'service_healthy' } });
  });

  it('gives the migration job the owner role and the API the DML-only runtime role', () => {
    const migrateEnv = get('migrate').environment as Record<string, string>;
    const apiEnv = get('api').environment as Record<string, string>;
    expect(migrateEnv.MIGRATION_DATABASE_URL).toMatch(
      /^postgres:\/\/storefront_migrator:\$\{MIGRATOR_DB_PASSWORD:\?/,
    );
    expect(apiEnv.DATABASE_URL).toMatch(/^postgres:\/\/storefront_app:\$\{APP_DB_PASSWORD:\?/);
    expect(apiEnv).not.toHaveProperty('MIGRATION_DATABASE_URL');
    // Development mode on purpose (compose.yaml header, docker/README.md): test/api-config.spec.ts.
    expect(apiEnv).toMatchObject({ NODE_ENV: 'development', HOST: '0.0.0.0', PORT: '3333' });
  });

  it('gives the production-mode web server the API, /api/* for the browser and the API’s web origins', () => {
    const webEnv = get('web').environment as Record<string, string>;
    const apiEnv = get('api').environment as Record<string, string>;
    // apps/web/server.mjs refuses NODE_ENV=production without PUBLIC_ORIGINS.
    expect(webEnv).toMatchObject({ NODE_ENV: 'production', API_URL: 'http://api:3333' });
    // Same-origin /api/* for the browser, as CloudFront routes it in AWS.
    expect(webEnv.API_PROXY).toBe('on');
    const origins = (list: string) => list.split(',').map((o) => o.trim());
    const webOrigins = origins(webEnv.PUBLIC_ORIGINS ?? '');
    expect(webOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    // A form the web server accepts is one the API accepts too (it checks the forwarded Origin).
    for (const origin of webOrigins) expect(origins(apiEnv.PUBLIC_ORIGINS ?? '')).toContain(origin);
    expect(webOrigins).toContain(apiEnv.PUBLIC_BASE_URL);
  });

  it('says at the top that the stack is not a production configuration', () => {
    expect(text.split('\n').slice(0, 12).join('\n')).toMatch(
      /NOT a production configuration: the API image runs with NODE_ENV=development/,
    );
  });

  it('injects every key of the API from docker/.env and sends mail only to Mailpit', () => {
    const apiEnv = get('api').environment as Record<string, string>;
    for (const key of [
      'FIELD_ENCRYPTION_LOCAL_KEK',
      'BLIND_INDEX_KEY',
      'AUDIT_HMAC_KEY',
      'LOG_PSEUDONYM_KEY',
    ]) {
      expect(apiEnv[key], key).toBe(`\${${key}:?set ${key} in docker/.env}`);
    }
    expect(apiEnv).toMatchObject({
      SMTP_URL: 'smtp://mailpit:1025',
      SMTP_TLS: 'opportunistic',
      FIELD_ENCRYPTION_PROVIDER: 'local',
    });
  });

  it('pins every third-party image by digest and builds ours from the repository root', () => {
    for (const [name, s] of svc) {
      if (s.build === undefined) {
        expect(s.image, name).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
        expect(readDocker('README.md'), `${name} digest documented`).toContain(
          String(s.image).split('@')[1],
        );
      } else {
        expect(s.build, name).toMatchObject({ context: '..' });
      }
    }
  });

  it('requires every secret variable to be set (":?") and documents each one in .env.example', () => {
    const example = readDocker('.env.example');
    const code = text
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const refs = [...code.matchAll(/\$\{([A-Z0-9_]+)(:?[?-])?[^}]*\}/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [whole, name, op] of refs) {
      expect(op, whole).toBe(':?');
      expect(example, `${name!} in .env.example`).toMatch(new RegExp(`^${name!}=$`, 'm'));
    }
  });

  it('keeps .env.example free of values (it is committed; the real .env is not)', () => {
    const assignments = readDocker('.env.example')
      .split('\n')
      .filter((l) => /^[A-Z0-9_]+=/.test(l));
    expect(assignments.length).toBeGreaterThan(0);
    for (const line of assignments) expect(line, line).toMatch(/^[A-Z0-9_]+=$/);
  });
});

describe('negative fixtures: each Compose rule is proven to reject what it forbids', () => {
  const { good, bad } = fixtures('compose');

  it('the good fixture passes every rule', () => {
    expect(checkCompose(good)).toEqual([]);
  });

  it.each(bad.map((f) => [f.file, f] as const))(
    '%s is rejected by its rule, and only by it',
    (_file, f) => {
      const rules = new Set(checkCompose(f.text).map((finding) => finding.rule));
      expect([...rules]).toEqual([f.rule]);
    },
  );

  it.each(ruleIds)('rule %s has at least one negative fixture', (rule) => {
    expect(bad.some((f) => f.rule === rule)).toBe(true);
  });
});

describe('the committed Compose Specification schema', () => {
  it('is the upstream compose-spec schema', () => {
    const schema = JSON.parse(readDocker('test/schema/compose-spec.json')) as {
      title?: string;
      $schema?: string;
    };
    expect(schema.title).toBe('Compose Specification');
    expect(schema.$schema).toContain('2019-09');
  });

  it('rejects a service that is neither an object nor valid', () => {
    const findings = COMPOSE_RULES['compose-schema']!(
      parseCompose('services:\n  x:\n    image: 42\n    ports: {}\n'),
    );
    expect(findings.map((f) => f.message).join('\n')).toMatch(/\/services\/x\/(image|ports)/);
  });
});
