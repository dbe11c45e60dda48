import type { ErrorCode } from '@storefront/contracts';

/** HTTP status and public default message of every error code. Exhaustive by type. */
export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, { status: number; message: string }>> = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_CURSOR: { status: 400, message: 'The pagination cursor is not valid.' },
  MALFORMED_BODY: { status: 400, message: 'The request body could not be parsed.' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication is required.' },
  FORBIDDEN: { status: 403, message: 'This action is not allowed.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  PRODUCT_NOT_FOUND: { status: 404, message: 'Product not found.' },
  PAYMENT_PROVIDER_UNAVAILABLE: {
    status: 503,
    message: 'The payment service is temporarily unavailable; try again shortly.',
  },
  PAYMENT_DECLINED: { status: 402, message: 'The payment was declined.' },
  PAYMENT_NOT_FOUND: { status: 404, message: 'Payment not found.' },
  PAYMENT_STATE_CONFLICT: {
    status: 409,
    message: 'The payment is not in a state that allows this.',
  },
  PAYMENT_PROVIDER_ERROR: { status: 502, message: 'The payment could not be processed.' },
  WEBHOOK_SIGNATURE_INVALID: { status: 400, message: 'The webhook signature is not valid.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The email or password is not correct.' },
  EMAIL_NOT_VERIFIED: {
    status: 403,
    message: 'Confirm your email address first; we have sent you a new link.',
  },
  MFA_REQUIRED: { status: 401, message: 'A second factor is required.' },
  MFA_ENROLMENT_REQUIRED: {
    status: 403,
    message: 'Set up a second factor before using this account.',
  },
  INVALID_MFA_CODE: { status: 401, message: 'The code is not valid.' },
  PASSKEY_REJECTED: { status: 400, message: 'The passkey could not be verified; try again.' },
  REAUTHENTICATION_REQUIRED: {
    status: 401,
    message: 'Confirm it is you: sign in again to continue.',
  },
  CSRF_REJECTED: { status: 403, message: 'The request was refused (cross-site request).' },
  INVALID_TOKEN: { status: 400, message: 'The link is not valid or has expired.' },
  WEAK_PASSWORD: { status: 422, message: 'Choose a different password.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  CART_ITEM_UNAVAILABLE: {
    status: 409,
    message: 'This item is not available in that quantity.',
  },
  CART_LIMIT_EXCEEDED: {
    status: 409,
    message: 'The cart cannot hold more of this item, or more items.',
  },
  COUPON_NOT_APPLICABLE: { status: 422, message: 'This code cannot be applied.' },
  CHECKOUT_NOT_READY: {
    status: 409,
    message: 'The cart cannot be checked out yet (empty, or no shipping method).',
  },
  ORDER_STATE_CONFLICT: {
    status: 409,
    message: 'The order is not in a state that allows this.',
  },
  REFUND_NOT_ALLOWED: {
    status: 409,
    message: 'This refund is not possible (the order is not paid, or it exceeds what remains).',
  },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Unsupported content type; send application/json.',
  },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry later.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable.' },
  NOT_READY: { status: 503, message: 'Not ready.' },
  INTERNAL_ERROR: { status: 500, message: 'An unexpected error occurred.' },
};

/** The code used for a bare HTTP status (from the framework, a plugin or an unknown error). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'MALFORMED_BODY';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL_ERROR';
  }
}
