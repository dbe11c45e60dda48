/** Which kind of dependency an outage error came from (logged; never sent to clients). */
export type UnavailableDependency = 'postgresql' | 'redis' | 'network';

/** Node's socket-level failures: the peer refused, dropped, or could not be reached in time. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of a server that is going away or refusing sessions: class 08
 * (connection exception), 57P01–57P03 (administrator or crash shutdown, cannot connect now) and
 * 53300 (too many connections). Constraint violations, syntax errors, permission problems and
 * timeouts of our own statements are not among them: they stay 500s to investigate.
 */
const POSTGRES_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** What node-postgres and its pool say when the connection is lost or cannot be opened. */
const POSTGRES_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
]);

/** What ioredis says when Redis is unreachable (no offline queue: commands fail at once). */
const REDIS_MESSAGES = new Set([
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Command timed out',
]);

/**
 * Whether `error` means that PostgreSQL, Redis or another dependency could not be reached or
 * dropped the connection (an outage, a failover, a network partition) rather than a bug; null
 * otherwise. The exception filter answers such errors 503 `SERVICE_UNAVAILABLE` (try again
 * later) instead of 500. It looks at the error, the driver error TypeORM wraps
 * (`QueryFailedError.driverError`) and `cause`, by stable markers: Node's socket error codes,
 * PostgreSQL's SQLSTATE, and the fixed messages of node-postgres and ioredis for a lost
 * connection (the fault tests against the real stores fail if a driver changes them).
 */
export function unavailableDependency(error: unknown, depth = 0): UnavailableDependency | null {
  if (typeof error !== 'object' || error === null || depth > 3) return null;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return 'network';
    if (POSTGRES_UNAVAILABLE.test(code) && 'severity' in error) return 'postgresql';
  }
  if (typeof message === 'string') {
    if (POSTGRES_MESSAGES.has(message)) return 'postgresql';
    if (REDIS_MESSAGES.has(message)) return 'redis';
  }
  if (name === 'MaxRetriesPerRequestError') return 'redis';
  const inner = error as { driverError?: unknown; cause?: unknown };
  return (
    unavailableDependency(inner.driverError, depth + 1) ??
    unavailableDependency(inner.cause, depth + 1)
  );
}
