import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { HibpBreachedPasswordCheck, rangeContains } from './breached-password-check';
import { defaultPasswordBlocklist } from './password-blocklist';
import { PasswordPolicy } from './password-policy.service';

/** How the fake range API answers the next request. */
interface Behaviour {
  delayMs: number;
  status: number;
  /** Lines by prefix; `padding` adds count-0 lines as the real API does with Add-Padding. */
  ranges: Map<string, string[]>;
}

interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

function sha1(password: string): { prefix: string; suffix: string } {
  const hex = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  return { prefix: hex.slice(0, 5), suffix: hex.slice(5) };
}

/** A 35-hex-character suffix that is not `avoid`. */
function otherSuffix(seed: number, avoid: string): string {
  const s = createHash('sha1').update(`filler-${seed}`).digest('hex').toUpperCase().slice(5);
  return s === avoid ? otherSuffix(seed + 1, avoid) : s;
}

describe('HibpBreachedPasswordCheck against a local range API', () => {
  let server: Server;
  let baseUrl: string;
  let behaviour: Behaviour;
  const seen: SeenRequest[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      const prefix = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '')?.[1];
      const answer = () => {
        if (behaviour.status !== 200 || !prefix) {
          response.writeHead(behaviour.status === 200 ? 400 : behaviour.status).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end((behaviour.ranges.get(prefix) ?? []).join('\r\n'));
      };
      if (behaviour.delayMs > 0) setTimeout(answer, behaviour.delayMs).unref();
      else answer();
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  beforeEach(() => {
    behaviour = { delayMs: 0, status: 200, ranges: new Map() };
    seen.length = 0;
  });

  const client = (timeoutMs = 1_000) => new HibpBreachedPasswordCheck({ baseUrl, timeoutMs });

  it('sends only the 5-character SHA-1 prefix, with Add-Padding, and finds a listed suffix', async () => {
    const password = 'purple monkey dishwasher';
    const { prefix, suffix } = sha1(password);
    behaviour.ranges.set(prefix, [`${otherSuffix(1, suffix)}:3`, `${suffix}:42`]);

    expect(await client().check(password)).toBe('breached');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`/range/${prefix}`);
    expect(seen[0]!.headers['add-padding']).toBe('true');
    const wire = JSON.stringify(seen[0]);
    expect(wire).not.toContain(suffix);
    expect(wire).not.toContain(password);
  });

  it('reports clear when the suffix is not listed', async () => {
    const password = 'a passphrase nobody has leaked yet';
    const { prefix, suffix } = sha1(password);
    behaviour.ranges.set(prefix, [`${otherSuffix(2, suffix)}:9`, `${otherSuffix(3, suffix)}:1`]);
    expect(await client().check(password)).toBe('clear');
  });

  it('ignores padding entries (count 0), even for the very suffix', async () => {
    const password = 'padded but never breached';
    const { prefix, suffix } = sha1(password);
    behaviour.ranges.set(prefix, [`${otherSuffix(4, suffix)}:0`, `${suffix}:0`]);
    expect(await client().check(password)).toBe('clear');
  });

  it('gives up after the timeout and reports unavailable', async () => {
    const password = 'slow network day';
    const { prefix, suffix } = sha1(password);
    behaviour.ranges.set(prefix, [`${suffix}:5`]);
    behaviour.delayMs = 2_000;
    const started = Date.now();
    expect(await client(200).check(password)).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports unavailable on an error status or when nothing listens', async () => {
    behaviour.status = 503;
    expect(await client().check('whatever it is')).toBe('unavailable');
    const closed = new HibpBreachedPasswordCheck({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    expect(await closed.check('whatever it is')).toBe('unavailable');
  });

  describe('wired into the password policy', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const policy = (timeoutMs = 1_000) =>
      new PasswordPolicy(config, defaultPasswordBlocklist(), client(timeoutMs));

    it('refuses a password the range API lists', async () => {
      const password = 'purple monkey dishwasher';
      const { prefix, suffix } = sha1(password);
      behaviour.ranges.set(prefix, [`${suffix}:7`]);
      const result = await policy().check(password, { kind: 'customer' });
      expect(result.problems.map((p) => p.code)).toEqual(['BREACHED']);
    });

    it('falls back to the offline list when the API times out', async () => {
      const password = 'purple monkey dishwasher';
      const { prefix, suffix } = sha1(password);
      behaviour.ranges.set(prefix, [`${suffix}:7`]);
      behaviour.delayMs = 2_000;
      expect((await policy(200).check(password, { kind: 'customer' })).acceptable).toBe(true);
      expect((await policy(200).check('qwerty123456', { kind: 'customer' })).acceptable).toBe(
        false,
      );
    });
  });
});

describe('rangeContains', () => {
  it('matches case-insensitively on the suffix with a positive count only', () => {
    const body = 'AAAA1:0\r\nBBBB2:12\r\nccc3:1\r\n';
    expect(rangeContains(body, 'BBBB2')).toBe(true);
    expect(rangeContains(body, 'CCC3')).toBe(true);
    expect(rangeContains(body, 'AAAA1')).toBe(false);
    expect(rangeContains(body, 'DDDD4')).toBe(false);
    expect(rangeContains('garbage without separators', 'GARBAGE')).toBe(false);
  });
});
