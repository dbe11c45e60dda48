import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { MAIL_QUEUE_NAME, MailJobQueue, bullPrefix } from '../../src/mail/mail-queue';
import '../support/test-env';

/**
 * A Redis proxy that drops every connection, and refuses new ones for a while, as soon as a
 * client sends its second INFO on one connection — i.e. right after ioredis' ready check, while
 * BullMQ is initialising (it reads the server version). That is the moment a Redis blip leaves a
 * BullMQ queue whose initialisation failed for good.
 */
class InitBreakingProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private armed = true;
  port = 0;

  constructor(private readonly target: URL) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port || 6379), this.target.hostname);
      let infos = 0;
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('data', (chunk: Buffer) => {
        infos += chunk.toString('latin1').match(/\binfo\b/gi)?.length ?? 0;
        if (this.armed && infos >= 2) {
          this.armed = false;
          void this.outage();
          return;
        }
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Drops everything and refuses connections for 1.5 s. */
  private async outage(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await this.start();
  }

  async stop(): Promise<void> {
    this.armed = false;
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
  }
}

describe('mail job queue', () => {
  it('recovers from a Redis drop during BullMQ initialisation instead of failing forever', async () => {
    const env = inject('testEnv');
    const redisUrl = new URL(env.redisUrl);
    const proxy = new InitBreakingProxy(redisUrl);
    await proxy.start();
    const keyPrefix = `${env.keyPrefix}queue-${randomBytes(4).toString('hex')}:`;
    const proxied = new URL(redisUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const queue = new MailJobQueue(proxied.toString(), keyPrefix, 3, () => undefined);
    const id = randomUUID();
    try {
      // Keep trying as the relay and the sweeper would; it must succeed once Redis is back.
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await queue.add([id], 1_000);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      const direct = new Redis(env.redisUrl);
      const reader = new Queue(MAIL_QUEUE_NAME, {
        connection: direct,
        prefix: bullPrefix(keyPrefix),
      });
      try {
        const job = await reader.getJob(id);
        expect(job?.data).toEqual({ id });
        expect(job?.opts.attempts).toBe(3);
      } finally {
        await reader.close();
        direct.disconnect();
      }
    } finally {
      await queue.close();
      await proxy.stop();
    }
  }, 30_000);
});
