import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and service call can know about the request being served. */
export interface RequestContext {
  requestId: string;
}

/** Async-local storage of the current {@link RequestContext}; set by an `onRequest` hook. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The current request id, or undefined outside a request (boot, jobs). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
