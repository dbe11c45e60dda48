import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCustomer, startIdentityWorld, type IdentityWorld } from './identity-fixture';

let world: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld();
});
afterAll(async () => {
  await world.close();
});

describe('CSRF defence', () => {
  it('refuses a state change that carries the session cookie but not its token', async () => {
    const { browser } = await signedInCustomer(world);
    const missing = await browser.request('DELETE', '/api/account/sessions', { withoutCsrf: true });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CSRF_REJECTED');
    const wrong = await browser.request('DELETE', '/api/account/sessions', {
      withoutCsrf: true,
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.status).toBe(403);
    expect((await browser.delete('/api/account/sessions')).status).toBe(200);
  });

  it('does not accept the token of another session', async () => {
    const alice = await signedInCustomer(world);
    const bob = await signedInCustomer(world);
    const response = await alice.browser.request('DELETE', '/api/account/sessions', {
      withoutCsrf: true,
      headers: { 'x-csrf-token': bob.browser.csrfToken ?? '' },
    });
    expect(response.status).toBe(403);
  });

  it('refuses cross-site requests by Sec-Fetch-Site and by Origin, before reading the body', async () => {
    const { browser } = await signedInCustomer(world);
    const crossSite = await browser.delete('/api/account/sessions', {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_REJECTED');
    const foreign = await browser.delete('/api/account/sessions', {
      headers: { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const sameSite = await browser.delete('/api/account/sessions', {
      headers: { 'sec-fetch-site': 'same-site' },
    });
    expect(sameSite.status).toBe(403);
  });

  it('refuses a cross-site text/plain form POST with 403 (not merely 415)', async () => {
    const { browser } = await signedInCustomer(world);
    const response = await browser.request('POST', '/api/auth/logout', {
      withoutCsrf: true,
      headers: {
        'content-type': 'text/plain',
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.example',
      },
    });
    expect(response.status).toBe(403);
    // The session survived: the forged logout changed nothing.
    expect((await browser.get('/api/account/profile')).status).toBe(200);
  });

  it('allows the shop’s own origin and never changes state on GET', async () => {
    const { browser } = await signedInCustomer(world);
    const own = await browser.delete('/api/account/sessions', {
      headers: { origin: 'http://127.0.0.1:3000' },
    });
    expect(own.status).toBe(200);
    const get = await browser.get('/api/auth/logout');
    expect(get.status).toBe(404);
    expect((await browser.get('/api/account/profile')).status).toBe(200);
  });
});
