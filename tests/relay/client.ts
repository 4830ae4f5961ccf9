import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import { decodeRelayFrame } from '../../src/shared/codec.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ClientToRelay, RelayFrameType, RelayToClient } from '../../src/shared/protocol.ts';

export type FrameOf<T extends RelayFrameType> = Extract<RelayToClient, { type: T }>;
export interface Closed { code: number; reason: string }

const WAIT_MS = 5_000;

interface Waiter { take(frame: RelayToClient): boolean }

/**
 * A real ws client that decodes every relay frame with the shared codec (so relay output is checked
 * against the protocol too) and queues it by type; `next(type)` takes the oldest or waits for one.
 */
export class TestClient {
  readonly received: RelayToClient[] = [];
  readonly closed: Promise<Closed>;
  readonly #unread: RelayToClient[] = [];
  readonly #waiters = new Set<Waiter>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the relay sent a binary frame');
      const decoded = decodeRelayFrame(String(data));
      if (!decoded.ok) throw new Error(`the relay sent an invalid frame: ${decoded.error.message}`);
      this.#deliver(decoded.value);
    });
  }

  static connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    socket.on('error', () => {}); // failures surface through `closed` and the awaited frames
    const client = new TestClient(socket);
    onTestFinished(() => client.terminate());
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('close', (code) => reject(new Error(`closed with ${code} before opening`)));
    });
  }

  send(frame: ClientToRelay | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.socket.send(data, { binary });
  }

  /** The oldest not-yet-taken frame of `type`, waiting for it if none has arrived. */
  next<T extends RelayFrameType>(type: T, timeoutMs = WAIT_MS): Promise<FrameOf<T>> {
    return this.nextOf([type], timeoutMs);
  }

  /** The oldest not-yet-taken frame of any of `types`. */
  nextOf<T extends RelayFrameType>(types: readonly T[], timeoutMs = WAIT_MS): Promise<FrameOf<T>> {
    const accepts = (frame: RelayToClient): frame is FrameOf<T> => types.some((type) => type === frame.type);
    const index = this.#unread.findIndex(accepts);
    if (index >= 0) return Promise.resolve(this.#unread.splice(index, 1)[0] as FrameOf<T>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        take: (frame) => {
          if (!accepts(frame)) return false;
          clearTimeout(timer);
          resolve(frame);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.received.map((frame) => frame.type).join(', ');
        reject(new Error(`no ${types.join('/')} frame within ${timeoutMs} ms; received: ${seen || 'nothing'}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Frames of `type` that arrived and were not taken yet. */
  pending(type: RelayFrameType): RelayToClient[] {
    return this.#unread.filter((frame) => frame.type === type);
  }

  /** A round trip: every frame the relay sent before answering this PING has arrived by now. */
  async barrier(): Promise<void> {
    const t = Math.floor(Math.random() * 1e9);
    this.send({ type: 'PING', t });
    for (;;) if ((await this.next('PONG')).t === t) return;
  }

  async join(room: string, since?: number, type: 'GETROOM' | 'ENTERROOM' = 'GETROOM'): Promise<FrameOf<'ROOM'>> {
    this.send(since === undefined ? { type, room } : { type, room, since });
    const joined = await this.next('ROOM');
    await this.next('SYNCED');
    return joined;
  }

  async chat(room: string, body = randomBody(), id: string = newMessageId()): Promise<FrameOf<'ACK'>> {
    this.send({ type: 'CHATMSG', room, id, body });
    return this.next('ACK');
  }

  /** Stops reading from the socket, so the relay's writes pile up in its buffers. */
  pauseReading(): void {
    this.#rawSocket().pause();
  }

  resumeReading(): void {
    this.#rawSocket().resume();
  }

  terminate(): void {
    this.socket.terminate();
  }

  #rawSocket(): Socket {
    // ws keeps the net.Socket private; tests need it to play a reader that stopped reading.
    return (this.socket as unknown as { _socket: Socket })._socket;
  }

  #deliver(frame: RelayToClient): void {
    this.received.push(frame);
    for (const waiter of this.#waiters) {
      if (!waiter.take(frame)) continue;
      this.#waiters.delete(waiter);
      return;
    }
    this.#unread.push(frame);
  }
}

/** A fresh room id in the wire format: 32 random bytes as base64url (43 characters). */
export const newRoomId = (): string => randomBytes(32).toString('base64url');

/** Stands in for sealed ciphertext: the relay only checks that it is base64url. */
export const randomBody = (bytes = 48): string => randomBytes(bytes).toString('base64url');

