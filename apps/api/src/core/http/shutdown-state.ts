import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Whether the process is shutting down. Nest calls `beforeApplicationShutdown` before it closes
 * the HTTP server: from then on readiness answers 503 (load balancers stop routing here) and
 * responses carry `Connection: close`, so in-flight requests finish and their keep-alive
 * connections do not hold the shutdown open.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
