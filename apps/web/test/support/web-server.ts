import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The shop origin the test server accepts form posts from (production requires one). */
export const SHOP_ORIGIN = 'https://shop.example';

/** The built web server running as a child process (`node apps/web/server.mjs`). */
export interface RunningWebServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the production entry point exactly as `npm run start:web` does, on a free port, with
 * `API_URL` pointing at the given API. Needs `nx run web:build` first (the test target depends on it).
 */
export async function startWebServer(
  apiUrl: string,
  env: Record<string, string> = {},
): Promise<RunningWebServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [fileURLToPath(new URL('../../server.mjs', import.meta.url))],
    {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        API_URL: apiUrl,
        NODE_ENV: 'production',
        PUBLIC_ORIGINS: SHOP_ORIGIN,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('web server did not start'));
    }, 15_000);
    child.once('exit', (code) => {
      reject(new Error(`web server exited with ${String(code)}`));
    });
    if (!child.stdout) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { msg?: string; port?: number };
      if (message.msg === 'web listening' && message.port !== undefined) {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
