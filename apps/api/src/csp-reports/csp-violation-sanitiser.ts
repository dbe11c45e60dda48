import { createHash } from 'node:crypto';
import type { SecurityEventDetails } from '../audit/security-event.catalogue';
import {
  CSP_BLOCKED_KINDS,
  CSP_DIRECTIVES,
  REPORTED_PATH_PATTERN,
  REPORTED_URL_PATTERN,
  type CspBlockedKind,
  type CspDirective,
} from './csp-directives';
import type { CspViolation } from './csp-report.schema';

/** The details of one `csp.violation.reported` event, before identical ones are counted. */
export type CspViolationDetails = Omit<SecurityEventDetails<'csp.violation.reported'>, 'count'>;

const DIRECTIVES: ReadonlySet<string> = new Set(CSP_DIRECTIVES);
const BLOCKED_KEYWORDS: ReadonlySet<string> = new Set(
  CSP_BLOCKED_KINDS.filter((kind) => !['url', 'none', 'other'].includes(kind)),
);
/** A bare scheme, as CSP 3 reports a blocked `data:`/`blob:`/extension URL. */
const SCHEME = /^[a-z][a-z0-9+.-]{0,31}$/;
/** A percent-encoded byte, or one character outside the unreserved set of a recorded path. */
const UNSAFE_PATH_CHARACTERS = /%[0-9A-Fa-f]{2}|[^A-Za-z0-9._~/-]/g;
const SINK_SEPARATOR = '|';
const SINK_NAME = /^[A-Za-z][A-Za-z0-9]{0,30}(?: [A-Za-z][A-Za-z0-9]{0,30})?$/;

/**
 * Reduces a reported violation to the details a `csp.violation.reported` event may hold, so the
 * log gets what triage needs and nothing a query string, a path or a sample could smuggle in:
 *
 * - the directive, from a fixed list (`other` otherwise; older browsers' `violated-directive`
 *   with its sources is cut to the name);
 * - what was blocked: a keyword, or a URL — the shop's own origins (`ownOrigins`) keep their path,
 *   foreign ones only their origin (a blocked request to an attacker's server carries whatever it
 *   was stealing in its path and query), other schemes only the scheme;
 * - the page: whether it is one of the shop's own (a report about someone else's page is forged,
 *   or our policy copied), and then its path only (never the query or fragment, where tokens
 *   live);
 * - the source file like a blocked URL, and the line and column;
 * - the sample never as text (a Trusted Types sample holds the start of the HTML being assigned,
 *   which may be a customer's data): its SHA-256 groups identical ones, and for a Trusted Types
 *   sink, the sink's name (`HTMLScriptElement.textContent`).
 *
 * Every value it returns matches the catalogue's schema for the event (a unit test checks it).
 */
export function sanitiseViolation(
  violation: CspViolation,
  ownOrigins: ReadonlySet<string>,
): CspViolationDetails {
  const document = parseUrl(violation.documentUrl);
  const ownDocument = document !== null && ownOrigins.has(document.origin);
  const blocked = blockedOf(violation.blocked, ownOrigins);
  const sample = violation.sample === null || violation.sample === '' ? null : violation.sample;
  return {
    format: violation.format,
    directive: directiveOf(violation.directive),
    disposition: violation.disposition ?? 'unknown',
    blocked: blocked.kind,
    blockedUrl: blocked.url,
    ownDocument,
    documentPath: ownDocument ? pathOf(document) : null,
    sourceFile:
      violation.sourceFile === null ? null : reportedUrlOf(violation.sourceFile, ownOrigins),
    line: violation.line,
    column: violation.column,
    sink: blocked.kind === 'trusted-types-sink' && sample !== null ? sinkOf(sample) : null,
    sampleSha256: sample === null ? null : createHash('sha256').update(sample).digest('hex'),
  };
}

function directiveOf(reported: string): CspDirective {
  const name = reported.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? '';
  return DIRECTIVES.has(name) ? (name as CspDirective) : 'other';
}

function blockedOf(
  reported: string | null,
  ownOrigins: ReadonlySet<string>,
): { kind: CspBlockedKind; url: string | null } {
  if (reported === null || reported === '') return { kind: 'none', url: null };
  if (BLOCKED_KEYWORDS.has(reported)) return { kind: reported as CspBlockedKind, url: null };
  if (SCHEME.test(reported)) return { kind: 'url', url: `${reported}:` };
  const url = reportedUrlOf(reported, ownOrigins);
  return url === null ? { kind: 'other', url: null } : { kind: 'url', url };
}

/**
 * A URL as an event records it: own origins with their path, foreign http(s) and ws(s) URLs by
 * origin only, URLs of other schemes by `scheme://host` (an extension's id says which extension)
 * or by scheme alone; null when it is not a URL at all.
 */
function reportedUrlOf(reported: string, ownOrigins: ReadonlySet<string>): string | null {
  const url = parseUrl(reported);
  if (url === null) return null;
  const web = /^(?:https?|wss?):$/.test(url.protocol);
  let recorded: string;
  if (web && ownOrigins.has(url.origin)) recorded = `${url.origin}${pathOf(url)}`;
  else if (web) recorded = url.origin;
  else if (url.host !== '') recorded = `${url.protocol}//${url.host}`;
  else recorded = url.protocol;
  if (!REPORTED_URL_PATTERN.test(recorded)) {
    return REPORTED_URL_PATTERN.test(url.protocol) ? url.protocol : null;
  }
  return recorded;
}

/** The path of a URL with anything outside the unreserved characters replaced, ≤ 128 characters. */
function pathOf(url: URL): string {
  const path = url.pathname.replace(UNSAFE_PATH_CHARACTERS, '_').slice(0, 128);
  return REPORTED_PATH_PATTERN.test(path) ? path : '/';
}

/** The sink of a Trusted Types sample (`HTMLScriptElement textContent|…`), as an identifier. */
function sinkOf(sample: string): string | null {
  const separator = sample.indexOf(SINK_SEPARATOR);
  if (separator <= 0) return null;
  const sink = sample.slice(0, separator);
  return SINK_NAME.test(sink) ? sink.replace(' ', '.') : null;
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
