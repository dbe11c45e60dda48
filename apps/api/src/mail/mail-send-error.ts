/**
 * Turns a failed send into what the outbox keeps: a short code (no message text — SMTP replies
 * often quote the recipient's address) and whether retrying can help.
 */
export interface SendFailure {
  /** `SMTP_550`, `SMTP_ECONNECTION`, `FILE_EACCES`, … matches `^[A-Z0-9_]{1,64}$`. */
  code: string;
  /** The server refused this message or recipient for good (5xx on the envelope or data). */
  permanent: boolean;
}

const CODE = /^[A-Z0-9_]{1,48}$/;

/** Classifies an error from the transport. */
export function classifySendError(
  error: unknown,
  transport: 'smtp' | 'file' | 'none',
): SendFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
  };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' && CODE.test(e.code) ? e.code : undefined;
  const prefix = { smtp: 'SMTP', file: 'FILE', none: 'NOMAIL' }[transport];
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    // A 5xx on the envelope (unknown mailbox) or the message (refused content) will not change on
    // retry. A 5xx elsewhere (authentication, TLS) is our configuration: retry until fixed.
    const permanent = responseCode >= 500 && (code === 'EENVELOPE' || code === 'EMESSAGE');
    return { code: `${prefix}_${responseCode}`, permanent };
  }
  return { code: code ? `${prefix}_${code}` : `${prefix}_ERROR`, permanent: false };
}

/** Codes of failures that happen before the transport. */
export const MAIL_FAILURE_CODES = {
  /** The sealed recipient or parameters could not be opened (key unavailable, tampering). */
  unreadable: 'MAIL_UNREADABLE',
  /** The stored parameters no longer match the template (a bug): retrying cannot help. */
  render: 'MAIL_RENDER_FAILED',
} as const;
