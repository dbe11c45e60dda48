import { Module } from '@nestjs/common';
import { CspReportBodyParser } from './csp-report-body.parser';
import { CspReportsController } from './csp-reports.controller';
import { CspReportsService } from './csp-reports.service';

/**
 * CSP violation reporting: `POST /api/csp-reports` (both report formats, strict schemas, a small
 * body limit, the `csp-report` rate limit) and the log-only `csp.violation.reported` security
 * event. It needs only the global audit module's `SecurityEvents` and the configuration.
 */
@Module({
  controllers: [CspReportsController],
  providers: [CspReportBodyParser, CspReportsService],
})
export class CspReportsModule {}
