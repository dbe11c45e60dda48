import { mkdirSync } from 'node:fs';
import { PGliteDriver } from 'typeorm-pglite';

type Release = (error?: unknown) => void;
type ConnectCallback = (error: unknown, client: unknown, release: Release) => void;
interface PoolLike {
  connect(callback: ConnectCallback): Promise<void>;
  query(...args: unknown[]): Promise<unknown>;
}

/**
 * A TypeORM driver for the embedded PGlite database that hands out its single session to one
 * caller at a time.
 *
 * PGlite is one PostgreSQL session: `typeorm-pglite` gives every pooled "connection" that same
 * session, so two concurrent transactions would interleave and lose updates. This wrapper queues
 * `connect()` calls and only lets the next one in when the previous client is released, which
 * serialises every query runner (and so every transaction). It is a development default; tests of
 * concurrency run on the real PostgreSQL.
 */
export function serialPgliteDriver(dataDir: string): unknown {
  mkdirSync(dataDir, { recursive: true });
  const Base = (new PGliteDriver({ dataDir }).driver as unknown as { Pool: new () => PoolLike })
    .Pool;

  class SerialPool extends Base {
    private tail: Promise<void> = Promise.resolve();

    override async connect(callback: ConnectCallback): Promise<void> {
      let release!: () => void;
      const turn = new Promise<void>((resolve) => (release = resolve));
      const previous = this.tail;
      this.tail = previous.then(() => turn);
      await previous;
      let released = false;
      await super.connect((error, client) => {
        callback(error, client, () => {
          if (!released) {
            released = true;
            release();
          }
        });
      });
    }
  }
  return { Pool: SerialPool };
}
