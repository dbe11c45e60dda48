import { createApp } from './app.factory';
import {
  ConfigError,
  describeConfig,
  loadConfig,
  type AppConfig,
  type ProcessRole,
} from './config/app-config';
import { ClientPseudonymiser } from './audit/client-pseudonymiser';
import { createLogger } from './core/logging/logger';

/**
 * Starts the API server: parse configuration (exit on error, naming the variable), build the app,
 * listen, and on SIGTERM/SIGINT drain: readiness turns 503, in-flight requests finish, then
 * connections to PostgreSQL and Redis close.
 */
export async function startServer(config: AppConfig): Promise<void> {
  const pseudonymiser = new ClientPseudonymiser(config.audit.pseudonymKey);
  const logger = createLogger(config.log.level, undefined, {
    clientAddress: (ip) => pseudonymiser.pseudonymise(ip),
  });
  logger.info({ config: describeConfig(config) }, 'starting api');
  const app = await createApp(config, { logger });
  await app.listen({ host: config.http.host, port: config.http.port });
  logger.info(`api listening on http://${config.http.host}:${config.http.port}/api`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: readiness 503, draining in-flight requests');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    timer.unref();
    app
      .close()
      .then(() => {
        logger.info('shutdown complete');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

/** Loads the configuration or exits with a readable message (no stack, no secret values). */
export function configOrExit(role: ProcessRole = 'api'): AppConfig {
  try {
    return loadConfig(process.env, role);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
