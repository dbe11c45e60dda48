/**
 * The CSP directives a violation report can name (CSP Level 3, Trusted Types, and the older
 * names browsers still send). A report naming anything else is logged as `other`: the log keeps
 * a fixed vocabulary, never a string a client chose.
 */
export const CSP_DIRECTIVES = [
  'base-uri',
  'block-all-mixed-content',
  'child-src',
  'connect-src',
  'default-src',
  'fenced-frame-src',
  'font-src',
  'form-action',
  'frame-ancestors',
  'frame-src',
  'img-src',
  'manifest-src',
  'media-src',
  'navigate-to',
  'object-src',
  'prefetch-src',
  'require-trusted-types-for',
  'sandbox',
  'script-src',
  'script-src-attr',
  'script-src-elem',
  'style-src',
  'style-src-attr',
  'style-src-elem',
  'trusted-types',
  'upgrade-insecure-requests',
  'webrtc',
  'worker-src',
  'other',
] as const;

/** A directive of {@link CSP_DIRECTIVES}. */
export type CspDirective = (typeof CSP_DIRECTIVES)[number];

/**
 * What a report says was blocked: one of the keywords of CSP Level 3 and Trusted Types
 * (`inline`, `eval`, `wasm-eval`, `trusted-types-policy`, `trusted-types-sink`), `self` (older
 * browsers), a `url` (or a bare scheme such as `data`), `none` when the report names nothing, or
 * `other`.
 */
export const CSP_BLOCKED_KINDS = [
  'inline',
  'eval',
  'wasm-eval',
  'trusted-types-policy',
  'trusted-types-sink',
  'self',
  'url',
  'none',
  'other',
] as const;

/** A kind of {@link CSP_BLOCKED_KINDS}. */
export type CspBlockedKind = (typeof CSP_BLOCKED_KINDS)[number];

/**
 * A URL as a CSP event records it: a scheme, optionally `//host[:port]` (a name, IPv4 or a
 * bracketed IPv6 address) and a path of unreserved characters — no credentials, query or
 * fragment, no `@`, `%`, space or line break; at most 256 characters.
 */
export const REPORTED_URL_PATTERN =
  /^(?=.{1,256}$)[a-z][a-z0-9+.-]{0,31}:(?:\/\/(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?)?(?:\/[A-Za-z0-9._~/-]*)?$/;

/** The path of a page as a CSP event records it: unreserved characters only, ≤ 128 characters. */
export const REPORTED_PATH_PATTERN = /^\/[A-Za-z0-9._~/-]{0,127}$/;
