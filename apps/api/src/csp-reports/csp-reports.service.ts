import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditContext } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { violationsOf, type CspReportRequest } from './csp-report.schema';
import { sanitiseViolation, type CspViolationDetails } from './csp-violation-sanitiser';

/** Most distinct violations one request may add to the log; the rest are counted in one line. */
export const MAX_EVENTS_PER_REQUEST = 10;

/**
 * Turns violation reports into `csp.violation.reported` security events: log lines only, never
 * audit rows (anyone can send reports, so they must not grow the hash-chained audit table or
 * contend for its chain). Each violation is reduced by {@link sanitiseViolation}; identical ones
 * in a request become one line with their `count`, and a request adds at most
 * {@link MAX_EVENTS_PER_REQUEST} lines, so the log volume a client can cause is bounded by the
 * `csp-report` rate limit times that number.
 */
@Injectable()
export class CspReportsService {
  private readonly logger = new Logger('CspReports');
  private readonly ownOrigins: ReadonlySet<string>;

  constructor(
    @Inject(SecurityEvents) private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ownOrigins = new Set(config.identity.publicOrigins);
  }

  /** Logs the violations of one validated request. */
  record(ctx: AuditContext, request: CspReportRequest): void {
    const distinct = new Map<string, { details: CspViolationDetails; count: number }>();
    for (const violation of violationsOf(request)) {
      const details = sanitiseViolation(violation, this.ownOrigins);
      const key = JSON.stringify(details);
      const seen = distinct.get(key);
      if (seen) seen.count += 1;
      else distinct.set(key, { details, count: 1 });
    }
    let logged = 0;
    for (const { details, count } of distinct.values()) {
      if (logged === MAX_EVENTS_PER_REQUEST) break;
      this.events.report(ctx, { name: 'csp.violation.reported', details: { ...details, count } });
      logged += 1;
    }
    if (distinct.size > logged) {
      this.logger.warn(
        `${distinct.size - logged} further distinct CSP violations of this request not logged (at most ${MAX_EVENTS_PER_REQUEST} per request)`,
      );
    }
  }
}
