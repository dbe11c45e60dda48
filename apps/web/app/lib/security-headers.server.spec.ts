import { describe, expect, it } from 'vitest';
import {
  applyHtmlSecurityHeaders,
  contentSecurityPolicy,
  createNonce,
} from './security-headers.server';

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d !== '')
      .map((d) => {
        const [name = '', ...values] = d.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

/** The endpoints of a `Reporting-Endpoints` header (a structured-field dictionary of strings). */
function endpoints(header: string): Map<string, string> {
  return new Map(
    header.split(',').map((member) => {
      const match = /^\s*([a-z][a-z0-9_-]*)="([^"\\]*)"\s*$/.exec(member);
      expect(match, `not an endpoint: ${member}`).not.toBeNull();
      return [match![1]!, match![2]!];
    }),
  );
}

describe('CSP violation reporting (ASVS 3.4.3)', () => {
  it('reports violations to the API both by report-uri and by report-to', () => {
    const policy = directives(contentSecurityPolicy(createNonce()));
    expect(policy.get('report-uri')).toBe('/api/csp-reports');
    expect(policy.get('report-to')).toBe('csp');
  });

  it('names the report-to endpoint in Reporting-Endpoints on every HTML response, errors included', () => {
    for (const status of [200, 404, 500]) {
      const headers = new Headers();
      applyHtmlSecurityHeaders(headers, createNonce(), status);
      const group = directives(headers.get('Content-Security-Policy') ?? '').get('report-to');
      const named = endpoints(headers.get('Reporting-Endpoints') ?? '');
      expect(group).toBeDefined();
      // The endpoint the policy names exists, and is the API route that takes reports.
      expect(named.get(group!)).toBe('/api/csp-reports');
    }
  });
});
