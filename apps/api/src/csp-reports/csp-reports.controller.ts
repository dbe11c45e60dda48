import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '../audit/audit-context';
import { Public } from '../core/http/public.decorator';
import { zodDto } from '../core/validation/zod-dto';
import { SkipCsrfToken } from '../identity/csrf/csrf.guard';
import { ApiErrorResponses, jsonSchemaOf } from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { AcceptsCspReports } from './csp-report-body.parser';
import {
  CSP_REPORT_BODY_LIMIT_BYTES,
  CspReportRequestSchema,
  LEGACY_REPORT_MEDIA_TYPE,
  LegacyCspReportSchema,
  REPORTING_API_MEDIA_TYPE,
  ReportingApiBatchSchema,
} from './csp-report.schema';
import { CspReportsService } from './csp-reports.service';

class CspReportRequestDto extends zodDto(CspReportRequestSchema) {}

/**
 * `POST /api/csp-reports`: where browsers send Content-Security-Policy (and Trusted Types)
 * violation reports — the storefront's CSP names it in `report-uri` and, through
 * `Reporting-Endpoints`, in `report-to`. Public (browsers send reports on their own), rate
 * limited (`csp-report`, failing closed), exempt from the session-token check only (see
 * {@link SkipCsrfToken}: Chromium sends the page's cookies with a report and never a token; the
 * origin check still refuses cross-site senders). Every accepted violation becomes a log-only
 * security event; nothing else happens, and the answer is an empty 204.
 */
@ApiTags('security')
@Controller('csp-reports')
@Public()
export class CspReportsController {
  constructor(@Inject(CspReportsService) private readonly reports: CspReportsService) {}

  @Post()
  @HttpCode(204)
  @RateLimit('csp-report')
  @SkipCsrfToken()
  @AcceptsCspReports()
  @ApiOperation({
    summary: 'CSP violation reports (sent by browsers, not for clients).',
    description: `Either one \`report-uri\` report (\`${LEGACY_REPORT_MEDIA_TYPE}\`) or a Reporting API batch of \`csp-violation\` reports (\`${REPORTING_API_MEDIA_TYPE}\`), at most ${String(CSP_REPORT_BODY_LIMIT_BYTES)} bytes; any other content type is a 415. Each violation is logged as a \`csp.violation.reported\` security event (query strings, foreign paths and samples are never recorded).`,
  })
  @ApiConsumes(LEGACY_REPORT_MEDIA_TYPE, REPORTING_API_MEDIA_TYPE)
  // The wire formats (the body is filed under its format only once parsed): the first goes with
  // `application/csp-report`, the second with `application/reports+json`.
  @ApiBody({
    schema: {
      oneOf: [
        jsonSchemaOf(LegacyCspReportSchema, 'input'),
        jsonSchemaOf(ReportingApiBatchSchema, 'input'),
      ],
    },
  })
  @ApiResponse({ status: 204, description: 'Received (and logged).' })
  @ApiErrorResponses(400, 403, 413, 415, 429, 503)
  receive(@Req() request: FastifyRequest, @Body() body: CspReportRequestDto): void {
    this.reports.record(auditContextOf(request), body);
  }
}
