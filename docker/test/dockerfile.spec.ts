import { describe, expect, it } from 'vitest';
import {
  DOCKERFILE_RULES,
  checkDockerfile,
  parseDockerfile,
  parseEnv,
  type Dockerfile,
} from '../checks/dockerfile.js';
import { isSecretName } from '../checks/secrets.js';
import { fixtures, readDocker } from './helpers.js';

const IMAGES = ['api.Dockerfile', 'web.Dockerfile'] as const;
const ruleIds = Object.keys(DOCKERFILE_RULES);

function finalStage(df: Dockerfile): Dockerfile['stages'][number] {
  return df.stages[df.stages.length - 1]!;
}

describe.each(IMAGES)('docker/%s', (file) => {
  const text = readDocker(file);
  const df = parseDockerfile(text);

  it.each(ruleIds)('passes rule %s', (rule) => {
    expect(DOCKERFILE_RULES[rule]!(df)).toEqual([]);
  });

  it('is multi-stage: the build happens in a stage that does not ship', () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    const build = df.stages[0]!;
    expect(
      build.instructions.some(
        (i) => i.keyword === 'RUN' && /npx nx run (api|web):build/.test(i.args),
      ),
    ).toBe(true);
    expect(
      finalStage(df).instructions.some((i) => i.keyword === 'RUN' && /nx run/.test(i.args)),
    ).toBe(false);
  });

  it('runs as the numeric non-root uid 1000 and removes the package managers', () => {
    const stage = finalStage(df);
    expect(stage.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual([
      '1000:1000',
    ]);
    const install = stage.instructions.find(
      (i) => i.keyword === 'RUN' && i.args.includes('npm ci'),
    );
    expect(install?.args).toMatch(/rm -rf .*\/usr\/local\/lib\/node_modules\/npm/);
    expect(install?.args).toContain('rm -f .npmrc');
  });

  it('uses exec form for CMD and HEALTHCHECK (signals reach node, no shell needed)', () => {
    const stage = finalStage(df);
    const cmd = stage.instructions.find((i) => i.keyword === 'CMD');
    expect(cmd?.args.startsWith('[')).toBe(true);
    const hc = stage.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(hc?.args).toMatch(
      /CMD \["node", "docker\/healthcheck\.mjs", "http:\/\/127\.0\.0\.1:\d+\//,
    );
  });

  it('pins every stage to the same base digest, the one documented in docker/README.md', () => {
    const bases = new Set(df.stages.map((s) => s.base));
    expect(bases.size).toBe(1);
    const [base] = [...bases];
    expect(readDocker('README.md')).toContain(base!.split('@')[1]!);
  });
});

describe('the API image', () => {
  const stage = finalStage(parseDockerfile(readDocker('api.Dockerfile')));
  it('starts apps/api/dist/main.js on port 3333 and probes /api/health/live', () => {
    expect(stage.instructions.find((i) => i.keyword === 'CMD')?.args).toBe(
      '["node", "apps/api/dist/main.js"]',
    );
    expect(stage.instructions.find((i) => i.keyword === 'EXPOSE')?.args).toBe('3333');
    expect(stage.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args).toContain(
      '/api/health/live',
    );
  });
});

describe('the web image (written against the expected apps/web contract)', () => {
  const stage = finalStage(parseDockerfile(readDocker('web.Dockerfile')));
  it('starts apps/web/server.mjs on port 3000 and probes /healthz', () => {
    expect(stage.instructions.find((i) => i.keyword === 'CMD')?.args).toBe(
      '["node", "apps/web/server.mjs"]',
    );
    expect(stage.instructions.find((i) => i.keyword === 'EXPOSE')?.args).toBe('3000');
    expect(stage.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args).toContain('/healthz');
  });
});

describe('negative fixtures: each Dockerfile rule is proven to reject what it forbids', () => {
  const { good, bad } = fixtures('dockerfile');

  it('the good fixture passes every rule', () => {
    expect(checkDockerfile(good)).toEqual([]);
  });

  it.each(bad.map((f) => [f.file, f] as const))(
    '%s is rejected by its rule, and only by it',
    (_file, f) => {
      const rules = new Set(checkDockerfile(f.text).map((finding) => finding.rule));
      expect([...rules]).toEqual([f.rule]);
    },
  );

  it.each(ruleIds)('rule %s has at least one negative fixture', (rule) => {
    expect(bad.some((f) => f.rule === rule)).toBe(true);
  });
});

describe('the Dockerfile reader', () => {
  it('joins continuation lines and drops comments inside them', () => {
    const df = parseDockerfile(
      [
        'FROM scratch',
        'RUN a \\',
        '  # a comment in the middle',
        '  && b \\',
        '',
        '  && c',
        'USER 1:1',
      ].join('\n'),
    );
    const ins = df.stages[0]!.instructions;
    expect(ins.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['RUN', 'a && b && c', 2],
      ['USER', '1:1', 7],
    ]);
  });

  it('reads parser directives only at the top', () => {
    const df = parseDockerfile(
      '# syntax=example/frontend:1\n# escape=\\\nFROM scratch\n# later=ignored\n',
    );
    expect([...df.directives.keys()]).toEqual(['syntax', 'escape']);
  });

  it('refuses heredocs instead of misreading them', () => {
    expect(() => parseDockerfile('FROM scratch\nRUN <<EOF\necho hi\nEOF\n')).toThrow(/heredoc/);
  });

  it('refuses instructions before FROM other than ARG', () => {
    expect(() => parseDockerfile('ENV A=1\nFROM scratch\n')).toThrow(/before the first FROM/);
  });

  it('reads both ENV forms and quoted values', () => {
    expect(parseEnv('A=1 B="two words" C=\'x y\'')).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
      { key: 'C', value: 'x y' },
    ]);
    expect(parseEnv('LEGACY value with spaces')).toEqual([
      { key: 'LEGACY', value: 'value with spaces' },
    ]);
  });
});

describe('secret-like names', () => {
  it.each([
    'DB_PASSWORD',
    'STRIPE_SECRET_KEY',
    'API_KEY',
    'NPM_TOKEN',
    'KEY',
    'aws_secret_access_key',
    'REDISCLI_AUTH',
    'FIELD_ENCRYPTION_LOCAL_KEK',
    'BLIND_INDEX_KEY',
    'AUDIT_HMAC_PREVIOUS_KEYS',
  ])('%s is secret-like', (name) => {
    expect(isSecretName(name)).toBe(true);
  });
  it.each([
    'NODE_ENV',
    'REDIS_KEY_PREFIX',
    'PASSWORD_MIN_LENGTH',
    'AWS_ACCESS_KEY_ID',
    'DATABASE_URL',
    'PORT',
    'FIELD_ENCRYPTION_KMS_KEY_ID',
    'FIELD_ENCRYPTION_PROVIDER',
  ])('%s is not secret-like', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});
