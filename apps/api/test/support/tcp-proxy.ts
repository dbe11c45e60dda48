import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL or Redis that a test can cut, to see how the API behaves
 * when a dependency becomes unreachable at run time.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => {
      this.server?.listen(this.port, '127.0.0.1', resolve);
    });
    const address = this.server.address();
    if (address && typeof address === 'object') this.port = address.port;
    return this;
  }

  /**
   * Drops every open connection but keeps accepting new ones: a failover or a network blip (the
   * clients' pools reconnect; whatever was in flight on the old connections is lost).
   */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Drops every connection and refuses new ones (`start()` again to restore the route). */
  async cut(): Promise<void> {
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

  /** Whether the proxy accepts connections (started and not cut). */
  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Rewrites a URL's host and port to go through this proxy. */
  wrap(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }
}
