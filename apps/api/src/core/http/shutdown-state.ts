import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Whether the process is shutting down, and which requests are still being handled.
 *
 * Nest calls `beforeApplicationShutdown` before it closes the HTTP server: from then on readiness
 * answers 503 (load balancers stop routing here) and responses carry `Connection: close`, so
 * in-flight requests finish and their keep-alive connections do not hold the shutdown open.
 *
 * Closing the HTTP server waits only for open connections. A request whose client has gone (an
 * aborted fetch, a proxy's timeout) has no connection left, yet its handler is still running and
 * still needs PostgreSQL and Redis. So every request is counted from its first hook until its
 * reply is sent, and the HTTP server's close waits for that count to reach zero
 * ({@link requestsSettled}) before the stores are closed.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private draining = false;
  private inFlight = 0;
  private readonly handling = new WeakSet<object>();
  private readonly settledWaiters: (() => void)[] = [];

  get isDraining(): boolean {
    return this.draining;
  }

  /** Requests started and not yet answered, whether or not their client is still connected. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  /** Counts `request` as in flight (its first hook). */
  requestStarted(request: object): void {
    this.handling.add(request);
    this.inFlight += 1;
  }

  /** Stops counting `request`; safe to call more than once, or for a request never counted. */
  requestFinished(request: object): void {
    if (!this.handling.delete(request)) return;
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const settle of this.settledWaiters.splice(0)) settle();
  }

  /** Resolves once no request is being handled (at once if none is). */
  requestsSettled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }
}
