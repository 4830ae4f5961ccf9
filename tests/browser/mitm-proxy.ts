import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/** One frame that crossed the proxy: `up` is client -> relay, `down` is relay -> client. */
export interface CapturedFrame {
  conn: number;
  dir: 'up' | 'down';
  text: string;
}

export type Frame = Record<string, unknown> & { type: string };

/**
 * Decides what the client receives instead of one relay -> client frame: a list of frames to
 * deliver in order (empty drops it). Returning null leaves the frame alone and keeps the rule armed.
 */
export type DownRule = (frame: Frame, conn: number) => Frame[] | null;

/**
 * A man in the middle between extension instances and the real relay, on 127.0.0.1. It passes
 * every frame through and logs it both ways; armed rules rewrite relay -> client frames, each rule
 * firing once. It plays a relay (or a network) that turned hostile: it can alter, replay, move
 * and relabel frames, but it has no room code, so it cannot make a sealed body that opens.
 */
export class MitmProxy {
  readonly frames: CapturedFrame[] = [];
  #rules: DownRule[] = [];
  #fired: Array<() => void> = [];
  #conns = 0;
  #sockets = new Set<WebSocket>();

  private constructor(private readonly server: WebSocketServer, readonly upstream: string) {}

  static async start(upstream: string): Promise<MitmProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const proxy = new MitmProxy(server, upstream);
    server.on('connection', (client) => proxy.#bridge(client));
    return proxy;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every CHATMSG the relay delivered to clients so far (as the relay sent them). */
  deliveredChats(): Frame[] {
    return this.frames
      .filter((f) => f.dir === 'down')
      .map((f) => JSON.parse(f.text) as Frame)
      .filter((f) => f.type === 'CHATMSG');
  }

  /**
   * Arms a rule for the next relay -> client frame it accepts (returns non-null for). Resolves
   * with the original frame once the rule has fired and its replacement was sent on.
   */
  armDown(rule: DownRule): Promise<Frame> {
    return new Promise((resolve) => {
      let original: Frame | null = null;
      const wrapped: DownRule = (frame, conn) => {
        const out = rule(frame, conn);
        if (out) original = frame;
        return out;
      };
      this.#rules.push(wrapped);
      this.#fired.push(() => resolve(original!));
    });
  }

  #bridge(client: WebSocket): void {
    const conn = ++this.#conns;
    const relay = new WebSocket(this.upstream, { perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
    this.#sockets.add(client);
    this.#sockets.add(relay);
    const early: string[] = [];
    client.on('error', () => {});
    relay.on('error', () => {});
    relay.on('open', () => {
      for (const text of early) relay.send(text);
      early.length = 0;
    });
    client.on('message', (data: RawData, isBinary: boolean) => {
      const text = data.toString();
      this.frames.push({ conn, dir: 'up', text });
      if (isBinary) return relay.readyState === WebSocket.OPEN ? relay.send(data) : undefined;
      if (relay.readyState === WebSocket.OPEN) relay.send(text);
      else early.push(text);
    });
    relay.on('message', (data: RawData) => {
      const text = data.toString();
      this.frames.push({ conn, dir: 'down', text });
      let out: string[] = [text];
      let frame: Frame | null = null;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        // Not JSON: passes through as it is.
      }
      if (frame) {
        for (const [i, rule] of this.#rules.entries()) {
          const replaced = rule(frame, conn);
          if (replaced === null) continue;
          this.#rules.splice(i, 1);
          const [fired] = this.#fired.splice(i, 1);
          out = replaced.map((f) => JSON.stringify(f));
          for (const t of out) client.send(t);
          fired!();
          return;
        }
      }
      for (const t of out) client.send(t);
    });
    const closeBoth = (code?: number, reason?: Buffer) => {
      const safe = code && code >= 3000 && code <= 4999 ? code : 1000;
      for (const s of [client, relay]) {
        if (s.readyState === WebSocket.OPEN) s.close(safe, reason?.toString());
        else if (s.readyState === WebSocket.CONNECTING) s.terminate();
      }
    };
    client.on('close', (code, reason) => closeBoth(code, reason));
    relay.on('close', (code, reason) => closeBoth(code, reason));
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
