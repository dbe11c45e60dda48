import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';

/**
 * Security headers of every API response, errors included (helmet runs in `onRequest`, before any
 * route or error handler). The API serves JSON only, so its CSP forbids everything.
 */
export const API_HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  xFrameOptions: { action: 'deny' },
};

/**
 * The headers `@fastify/helmet` sets with {@link API_HELMET_OPTIONS}, computed once at boot by
 * asking the plugin itself (a throwaway Fastify instance with and without it). The plugin rebuilds
 * helmet's middleware on every request although the API's header set never varies, which cost a
 * fifth of a cached request; the application sets this precomputed set in its `onRequest` hook.
 */
export async function apiSecurityHeaders(): Promise<Record<string, string>> {
  const probe = async (withHelmet: boolean) => {
    const app = Fastify({ logger: false });
    if (withHelmet) await app.register(helmet, API_HELMET_OPTIONS);
    app.get('/', (_request, reply) => reply.send(''));
    const response = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    return response.headers;
  };
  const [bare, secured] = await Promise.all([probe(false), probe(true)]);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(secured)) {
    if (bare[name] === undefined && typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/**
 * CSP of the OpenAPI docs page (served outside production only): Swagger UI needs its own
 * scripts, styles and images from this origin and nothing else.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
