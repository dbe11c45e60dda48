import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerPath } from './helpers.js';

/** Runs docker/healthcheck.mjs the way the HEALTHCHECK instruction does and returns its exit code. */
function probe(args: string[], env: Record<string, string> = {}): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [dockerPath('healthcheck.mjs'), ...args], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve(code);
    });
  });
}

describe('docker/healthcheck.mjs', () => {
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200).end('ok');
      else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 2_000);
      else res.writeHead(503).end('down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  it('exits 0 on a 2xx answer', async () => {
    expect(await probe([`${base}/ok`])).toBe(0);
  });

  it('exits 1 on a 5xx answer', async () => {
    expect(await probe([`${base}/down`])).toBe(1);
  });

  it('exits 1 on a redirect (it does not follow it)', async () => {
    expect(await probe([`${base}/redirect`])).toBe(1);
  });

  it('exits 1 when the answer is slower than the timeout', async () => {
    expect(await probe([`${base}/slow`], { HEALTHCHECK_TIMEOUT_MS: '200' })).toBe(1);
  });

  it('exits 1 when nothing listens', async () => {
    expect(await probe(['http://127.0.0.1:9/'])).toBe(1);
  });

  it('exits 2 without a URL', async () => {
    expect(await probe([])).toBe(2);
  });
});
