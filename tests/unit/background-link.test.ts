// A view's port to the background (src/ui/background-link.ts) across a service worker that
// stopped: a join still waiting is sent again to the new worker, which never heard of it
// (docs/protocol.md, "Invites", "A join ends"), until it is answered or cancelled.
import { beforeEach, describe, expect, it, vi } from 'vitest';

interface FakePort {
  posted: unknown[];
  onMessage: { addListener(l: (m: unknown) => void): void };
  onDisconnect: { addListener(l: () => void): void };
  postMessage(m: unknown): void;
  disconnect(): void;
  /** The worker stopped: the browser ends the port. */
  kill(): void;
  receive(m: unknown): void;
}

const ports: FakePort[] = [];
function fakePort(): FakePort {
  const messageListeners: ((m: unknown) => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  const port: FakePort = {
    posted: [],
    onMessage: { addListener: (l) => void messageListeners.push(l) },
    onDisconnect: { addListener: (l) => void disconnectListeners.push(l) },
    postMessage: (m) => void port.posted.push(m),
    disconnect: () => {},
    kill: () => { for (const l of disconnectListeners) l(); },
    receive: (m) => { for (const l of messageListeners) l(m); },
  };
  return port;
}

vi.mock('webextension-polyfill', () => ({
  default: { runtime: { connect: () => { const p = fakePort(); ports.push(p); return p; } } },
}));

const { BackgroundLink } = await import('../../src/ui/background-link.ts');

beforeEach(() => {
  ports.length = 0;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(0);
});

const join = { type: 'join-room', code: 'https://relay.example/join#ABCD', name: '' } as const;
const joinsOn = (p: FakePort) => p.posted.filter((m) => (m as { type: string }).type === 'join-room');

/** The worker stops well after the port opened (a port dropped at once counts as refused). */
function workerStops(): FakePort {
  vi.setSystemTime(Date.now() + 5_000);
  ports.at(-1)!.kill();
  return ports.at(-1)!;
}

describe('a join waiting when the worker stops', () => {
  it('is sent again on the new port', () => {
    const link = new BackgroundLink('parley-popup', () => {});
    link.send(join);
    expect(joinsOn(ports[0]!)).toEqual([join]);
    const next = workerStops();
    expect(next).not.toBe(ports[0]);
    expect(joinsOn(next)).toEqual([join]);
  });

  it('is not sent again once answered (room-ready) or ended in words (error)', () => {
    for (const answer of [
      { type: 'room-ready', roomId: 'r', code: 'ABCD', created: false },
      { type: 'error', code: 'RELAY_ERROR', message: "Can't reach wss://relay.example" },
    ]) {
      ports.length = 0;
      const link = new BackgroundLink('parley-popup', () => {});
      link.send(join);
      ports[0]!.receive(answer);
      expect(joinsOn(workerStops())).toEqual([]);
    }
  });

  it('is not sent again once cancelled', () => {
    const link = new BackgroundLink('parley-popup', () => {});
    link.send(join);
    link.send({ type: 'cancel-join', code: join.code });
    expect(joinsOn(workerStops())).toEqual([]);
  });
});
