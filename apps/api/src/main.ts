import 'reflect-metadata';
import { configOrExit, startServer } from './server';

/** Entry point of the API server (`npm run start:api`). */
startServer(configOrExit()).catch((error: unknown) => {
  process.stderr.write(
    `api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
