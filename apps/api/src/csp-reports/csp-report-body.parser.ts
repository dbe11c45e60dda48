import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors/domain-error';
import {
  CSP_REPORT_BODY_LIMIT_BYTES,
  LEGACY_REPORT_MEDIA_TYPE,
  REPORTING_API_MEDIA_TYPE,
  type CspReportFormat,
} from './csp-report.schema';

/** Route config flag of the route that takes violation reports ({@link AcceptsCspReports}). */
const ACCEPTS_CSP_REPORTS = 'acceptsCspReports';

/** The format each report media type carries (the key the parsed body is filed under). */
const FORMATS: Readonly<Record<string, CspReportFormat>> = {
  [LEGACY_REPORT_MEDIA_TYPE]: 'report-uri',
  [REPORTING_API_MEDIA_TYPE]: 'reporting-api',
};

/**
 * Marks the route that takes CSP violation reports: its body must be `application/csp-report`
 * or `application/reports+json` (anything else, JSON included, is a 415 before the body is read),
 * at most {@link CSP_REPORT_BODY_LIMIT_BYTES} (413). No other route accepts these media types.
 */
export const AcceptsCspReports = () => RouteConfig({ [ACCEPTS_CSP_REPORTS]: true });

function acceptsCspReports(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  return config?.[ACCEPTS_CSP_REPORTS] === true;
}

/** The media type of a request, lower-case, without parameters. */
function mediaTypeOf(request: FastifyRequest): string {
  const header = request.headers['content-type'] ?? '';
  return (header.split(';', 1)[0] ?? '').trim().toLowerCase();
}

const UNSUPPORTED = () =>
  new DomainError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Unsupported content type; send ${LEGACY_REPORT_MEDIA_TYPE} or ${REPORTING_API_MEDIA_TYPE}.`,
  );

/**
 * Teaches Fastify the two report media types, for the flagged route only. Fastify parses JSON
 * and nothing else everywhere (`app.factory.ts`); these parsers read at most
 * {@link CSP_REPORT_BODY_LIMIT_BYTES} as text, parse it with Fastify's JSON parser (which refuses
 * `__proto__` and `constructor.prototype` keys; 400), refuse the types on any other route (415),
 * and file the parsed JSON under the format its media type names (`{"reporting-api": […]}`), so
 * the route's schema judges each format by its own rules. A `preParsing` hook refuses any other
 * media type on the flagged route before its body is read.
 * Installed while the application initialises, as `RawBodyCapture` is.
 */
@Injectable()
export class CspReportBodyParser implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as { getInstance?: () => unknown } | undefined;
    const fastify = adapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addHook) return; // no HTTP server (a CLI command's application context)

    fastify.addHook('preParsing', (request, _reply, payload, done) => {
      if (acceptsCspReports(request) && !Object.hasOwn(FORMATS, mediaTypeOf(request))) {
        done(UNSUPPORTED());
        return;
      }
      done(null, payload);
    });

    // Fastify's own JSON parser: prototype-poisoning keys are refused, as on every JSON route.
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.addContentTypeParser(
      [LEGACY_REPORT_MEDIA_TYPE, REPORTING_API_MEDIA_TYPE],
      { parseAs: 'string', bodyLimit: CSP_REPORT_BODY_LIMIT_BYTES },
      (request, body, done) => {
        if (!acceptsCspReports(request)) {
          done(UNSUPPORTED(), undefined);
          return;
        }
        const text = typeof body === 'string' ? body : body.toString('utf8');
        void parseJson(request, text, (error: Error | null, parsed: unknown) => {
          if (error) done(new DomainError('MALFORMED_BODY'), undefined);
          else done(null, { [FORMATS[mediaTypeOf(request)] ?? 'unknown']: parsed });
        });
      },
    );
  }
}
