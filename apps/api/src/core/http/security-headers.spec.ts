import { describe, expect, it } from 'vitest';
import { apiSecurityHeaders } from './security-headers';

describe('the precomputed security headers', () => {
  it("are helmet's headers for the API's options", async () => {
    const headers = await apiSecurityHeaders();
    expect(headers).toMatchObject({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'cross-origin-resource-policy': 'same-origin',
      'cross-origin-opener-policy': 'same-origin',
    });
    // Only headers the plugin adds: nothing Fastify itself sets, nothing request-specific.
    for (const name of ['content-type', 'content-length', 'date', 'connection', 'etag']) {
      expect(headers[name]).toBeUndefined();
    }
  });
});
