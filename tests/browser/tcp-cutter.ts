import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP pass-through in front of the relay that can cut every connection at once without a
 * WebSocket close frame, the way a crashed proxy or a dropped network does.
 */
export class TcpCutter {
  #sockets = new Set<net.Socket>();
  #server: net.Server;
  port = 0;

  private constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  static async start(targetPort: number): Promise<TcpCutter> {
    const cutter = new TcpCutter(targetPort);
    await new Promise<void>((resolve) => cutter.#server.listen(0, '127.0.0.1', resolve));
    cutter.port = (cutter.#server.address() as AddressInfo).port;
    return cutter;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.#sockets.size / 2;
  }

  /** Resets every connection (RST, no FIN, no close frame). */
  cutAll(): void {
    for (const s of this.#sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
