import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../core/errors/domain-error';
import { ShutdownState } from '../core/http/shutdown-state';
import { KEY_VALUE_STORE, type KeyValueStore } from '../store/key-value-store';

const PROBE_TIMEOUT_MS = 1_000;

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Liveness and readiness. Ready means PostgreSQL and Redis both answer within a second and the
 * process is not shutting down; the failing dependency is logged, not disclosed.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore,
    @Inject(ShutdownState) private readonly shutdown: ShutdownState,
  ) {}

  async assertReady(): Promise<void> {
    if (this.shutdown.isDraining) throw new DomainError('NOT_READY');
    const [database, redis] = await Promise.allSettled([
      withTimeout(this.dataSource.query('SELECT 1'), PROBE_TIMEOUT_MS),
      withTimeout(this.store.ping(), PROBE_TIMEOUT_MS),
    ]);
    const down = [
      database.status === 'rejected' ? 'database' : undefined,
      redis.status === 'rejected' ? 'redis' : undefined,
    ].filter((name) => name !== undefined);
    if (down.length > 0) {
      this.logger.warn(`not ready: ${down.join(', ')} unreachable`);
      throw new DomainError('NOT_READY');
    }
  }
}
