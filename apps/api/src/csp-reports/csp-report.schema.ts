import { z } from 'zod';

/*
 * The two formats browsers send CSP violation reports in, as strict schemas: every field the
 * specifications define, with a type and a bound; anything else is refused (400). The formats
 * are the browsers', not ours, so they live here rather than in the shared contracts: the web
 * app never builds one.
 *
 * - `report-uri` (CSP Level 2, still the only one over plain http and in some browsers):
 *   `Content-Type: application/csp-report`, one `{"csp-report":{…}}` per violation.
 * - `report-to` (the Reporting API; Chromium, https pages only): `Content-Type:
 *   application/reports+json`, a batch `[{type:"csp-violation", age, url, user_agent, body}]`.
 */

/** The media type of a `report-uri` report. */
export const LEGACY_REPORT_MEDIA_TYPE = 'application/csp-report';
/** The media type of a Reporting API batch. */
export const REPORTING_API_MEDIA_TYPE = 'application/reports+json';

/** Largest body accepted: a batch of a dozen reports fits; a flood does not. */
export const CSP_REPORT_BODY_LIMIT_BYTES = 16 * 1024;
/** Most reports in one Reporting API batch. */
export const MAX_REPORTS_PER_BATCH = 50;

const URL_MAX = 2_048;
const text = (max: number) => z.string().max(max);
const url = () => text(URL_MAX);
/** A directive name (CSP 3) or, from older browsers, the directive with its sources. */
const directive = () => text(1_024);
const policy = () => text(8_192);
/** The spec keeps the first 40 characters; browsers may differ a little. */
const sample = () => text(256);
const position = () => z.number().int().min(0).max(10_000_000);
const statusCode = () => z.number().int().min(0).max(999);
const disposition = () => z.enum(['enforce', 'report']);

/** The body of a `report-uri` report (CSP 3, "deprecated serialization"). */
export const LegacyCspReportBodySchema = z
  .strictObject({
    'document-uri': url(),
    referrer: url().optional(),
    'blocked-uri': url().optional(),
    'effective-directive': directive().optional(),
    'violated-directive': directive().optional(),
    'original-policy': policy().optional(),
    disposition: disposition().optional(),
    'status-code': statusCode().optional(),
    'script-sample': sample().optional(),
    'source-file': url().optional(),
    'line-number': position().optional(),
    'column-number': position().optional(),
  })
  .refine(
    (body) => body['effective-directive'] !== undefined || body['violated-directive'] !== undefined,
    { message: 'names no directive', path: ['effective-directive'] },
  );

/** `application/csp-report`: one violation. */
export const LegacyCspReportSchema = z.strictObject({ 'csp-report': LegacyCspReportBodySchema });

/** The body of a Reporting API `csp-violation` report (`CSPViolationReportBody`). */
export const CspViolationReportBodySchema = z.strictObject({
  documentURL: url(),
  referrer: url().nullish(),
  blockedURL: url().nullish(),
  effectiveDirective: directive(),
  originalPolicy: policy().nullish(),
  sourceFile: url().nullish(),
  sample: sample().nullish(),
  disposition: disposition(),
  statusCode: statusCode().nullish(),
  lineNumber: position().nullish(),
  columnNumber: position().nullish(),
});

/** One report of a Reporting API batch; only `csp-violation` reports are sent here. */
export const CspViolationReportSchema = z.strictObject({
  type: z.literal('csp-violation'),
  /** Milliseconds between the violation and the upload. */
  age: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000),
  url: url(),
  user_agent: text(512),
  body: CspViolationReportBodySchema,
});

/** `application/reports+json`: a batch of reports. */
export const ReportingApiBatchSchema = z
  .array(CspViolationReportSchema)
  .min(1)
  .max(MAX_REPORTS_PER_BATCH);

/** The two formats, by the name a `csp.violation.reported` event gives them. */
export type CspReportFormat = 'report-uri' | 'reporting-api';

/**
 * What `POST /api/csp-reports` validates: the body as sent, filed by the body parser under the
 * format its media type names (`{"report-uri": {"csp-report": …}}` or `{"reporting-api": […]}`),
 * so each format is judged by its own schema and a body of the wrong shape for its media type is
 * refused with the path of the problem.
 */
export const CspReportRequestSchema = z.strictObject({
  'report-uri': LegacyCspReportSchema.optional(),
  'reporting-api': ReportingApiBatchSchema.optional(),
});

export type CspReportRequest = z.output<typeof CspReportRequestSchema>;

/** One violation, whichever format it came in; fields are as received (not yet sanitised). */
export interface CspViolation {
  format: CspReportFormat;
  documentUrl: string;
  blocked: string | null;
  directive: string;
  disposition: 'enforce' | 'report' | null;
  sourceFile: string | null;
  line: number | null;
  column: number | null;
  sample: string | null;
}

/** The violations of a validated request, in one shape. */
export function violationsOf(request: CspReportRequest): CspViolation[] {
  const violations: CspViolation[] = [];
  const legacy = request['report-uri']?.['csp-report'];
  if (legacy) {
    violations.push({
      format: 'report-uri',
      documentUrl: legacy['document-uri'],
      blocked: legacy['blocked-uri'] ?? null,
      // The refinement guarantees one of them.
      directive: legacy['effective-directive'] ?? legacy['violated-directive'] ?? '',
      disposition: legacy.disposition ?? null,
      sourceFile: legacy['source-file'] ?? null,
      line: legacy['line-number'] ?? null,
      column: legacy['column-number'] ?? null,
      sample: legacy['script-sample'] ?? null,
    });
  }
  for (const { body } of request['reporting-api'] ?? []) {
    violations.push({
      format: 'reporting-api',
      documentUrl: body.documentURL,
      blocked: body.blockedURL ?? null,
      directive: body.effectiveDirective,
      disposition: body.disposition,
      sourceFile: body.sourceFile ?? null,
      line: body.lineNumber ?? null,
      column: body.columnNumber ?? null,
      sample: body.sample ?? null,
    });
  }
  return violations;
}
