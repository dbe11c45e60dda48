import { data } from 'react-router';

/** The statuses a loader ends with when it cannot render its page. */
export type PageErrorStatus = 400 | 404 | 502;

/**
 * Ends a loader with an error page of this status (the `shop` layout's error boundary renders it,
 * in the shop's look). React Router's protocol is to throw its `data()` response, not an `Error`.
 */
export function pageError(status: PageErrorStatus): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- React Router's error-response protocol
  throw data(null, { status });
}
