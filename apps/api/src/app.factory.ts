import cookie from '@fastify/cookie';
import type { ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { auditContextOf } from './audit/audit-context';
import { ClientPseudonymiser } from './audit/client-pseudonymiser';
import { SecurityEvents } from './audit/security-events.service';
import type { AppConfig } from './config/app-config';
import { ifNoneMatchHits } from './core/http/public-cache';
import { installPublicCacheFastPath } from './core/http/public-cache-fast-path';
import { requestContext } from './core/http/request-context';
import { ShutdownState } from './core/http/shutdown-state';
import { DOCS_CSP, apiSecurityHeaders } from './core/http/security-headers';
import {
  PinoNestLogger,
  createLogger,
  requestChildLogger,
  requestIdFrom,
} from './core/logging/logger';
import { csrfOriginHook, routeIdOf } from './identity/csrf/csrf-origin.hook';
import { serveOpenApi } from './openapi/openapi';

function nestOptions(logger: Logger): NestApplicationOptions {
  // Nest declares its options as a class but documents and accepts plain objects.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false };
}

/** Options of {@link createApp}; tests add modules and capture logs. */
export interface CreateAppOptions {
  logger?: Logger;
  extraImports?: ModuleMetadata['imports'];
}

/**
 * Builds the API application (not listening yet). `main.ts` and the HTTP tests both use it, so
 * tests exercise exactly the production wiring: Fastify with the trusted proxy hops and body
 * limit, security headers on every response, JSON-only bodies, request ids, the error envelope,
 * conditional GET, and the OpenAPI description outside production.
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const pseudonymiser = new ClientPseudonymiser(config.audit.pseudonymKey);
  const logger =
    options.logger ??
    createLogger(config.log.level, undefined, {
      clientAddress: (ip) => pseudonymiser.pseudonymise(ip),
    });
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // Only our own proxies (CloudFront, ALB) may set X-Forwarded-For: trust exactly that many hops.
    trustProxy: (_address: string, hop: number) => hop < config.http.trustProxyHops,
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
      requestIdFrom(request.headers['x-request-id']),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    // The per-request child logger without pino's costly redaction of the request id binding.
    childLoggerFactory: requestChildLogger,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options.extraImports),
    adapter,
    // bodyParser: false leaves Fastify's own JSON parser as the only one (no urlencoded forms).
    nestOptions(logger),
  );
  const fastify = app.getHttpAdapter().getInstance();

  // helmet's headers (API_HELMET_OPTIONS), computed once rather than by the plugin per request.
  const securityHeaders = await apiSecurityHeaders();
  // Session ids are opaque random values checked against Redis: the cookie needs no signature.
  await app.register(cookie);

  // Every request counts as in flight from its first hook until its reply is sent (or, failing
  // that, finished), and closing the server waits for none to be left, before the stores close:
  // a request whose client went away holds no connection open, yet its handler still runs.
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onClose', async () => {
    await shutdown.requestsSettled();
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    shutdown.requestFinished(request);
    done();
  });

  fastify.addHook('onRequest', (request, reply, done) => {
    shutdown.requestStarted(request);
    void reply.headers(securityHeaders);
    void reply.header('x-request-id', request.id);
    // Nothing is cacheable unless a route says so (@PublicCache).
    void reply.header('cache-control', 'no-store');
    if (config.openApiEnabled && request.url.startsWith('/api/docs')) {
      void reply.header('content-security-policy', DOCS_CSP);
    }
    requestContext.run({ requestId: request.id }, done);
  });

  // CSRF, first line: cross-site state-changing requests are refused before their body is read.
  const securityEvents = app.get(SecurityEvents);
  fastify.addHook(
    'onRequest',
    csrfOriginHook(config.identity.publicOrigins, (request, reason) => {
      void securityEvents.emit(auditContextOf(request), {
        name: 'csrf.rejected',
        details: { reason, route: routeIdOf(request) },
      });
    }),
  );

  // Conditional GET: a matching If-None-Match turns a cacheable 200 into an empty 304.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // The handler's work is done once its reply is being sent.
    shutdown.requestFinished(request);
    if (shutdown.isDraining) void reply.header('connection', 'close');
    const etag = reply.getHeader('etag');
    if (
      reply.statusCode === 200 &&
      typeof etag === 'string' &&
      ifNoneMatchHits(request.headers['if-none-match'], etag)
    ) {
      void reply.code(304);
      done(null, '');
      return;
    }
    done(null, payload);
  });

  // JSON only: with no text/plain parser, any non-JSON body is a 415.
  fastify.removeContentTypeParser('text/plain');

  // In-process hits of @PublicCache routes, after every onRequest hook and every global guard.
  installPublicCacheFastPath(app);

  app.setGlobalPrefix('api');
  if (config.openApiEnabled) serveOpenApi(app);
  await app.init();
  return app;
}
