import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../core/errors/all-exceptions.filter';
import { DomainError } from '../../core/errors/domain-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_ORIGIN_FETCH = new Set(['same-origin', 'none']);

/**
 * First line of the CSRF defence, run on every request before the body is parsed (so a
 * cross-site `text/plain` form POST is refused with 403 before anything reads it): a
 * state-changing request whose browser says it is cross-site (`Sec-Fetch-Site`), or whose `Origin`
 * is not one of the shop's own, is refused. Requests with neither header come from non-browser
 * clients, which carry no ambient cookies an attacker could ride on; the per-session token (see
 * `CsrfGuard`) covers the rest.
 */
export function csrfOriginHook(
  allowedOrigins: readonly string[],
  onRejected: (request: FastifyRequest, reason: 'cross_site' | 'origin_mismatch') => void,
) {
  const allowed = new Set(allowedOrigins);
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (SAFE_METHODS.has(request.method)) {
      done();
      return;
    }
    const site = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    const crossSite = typeof site === 'string' && !SAME_ORIGIN_FETCH.has(site);
    const foreignOrigin = typeof origin === 'string' && !allowed.has(origin);
    if (crossSite || foreignOrigin) {
      onRejected(request, crossSite ? 'cross_site' : 'origin_mismatch');
      sendError(new DomainError('CSRF_REJECTED'), request, reply);
      return;
    }
    done();
  };
}

/** A log-safe name of the route a request targets (for security events). */
export function routeIdOf(request: FastifyRequest): string {
  const url = request.routeOptions.url ?? 'unmatched';
  return `${request.method}:${url}`.replace(/[^A-Za-z0-9_.:-]/g, '.').slice(0, 64);
}
