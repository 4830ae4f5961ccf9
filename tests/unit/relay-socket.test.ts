// The relay socket's reconnect policy and the status it reports (issue 7, defect 4). The WebSocket
// is a stand-in driven by the test; the browser tests run the real one against a real relay.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelaySocket } from '../../src/background/relay-socket.ts';
import { closeWords } from '../../src/background/relay-words.ts';

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(): void {}
  close(): void {}
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  closeWith(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const URL = 'ws://127.0.0.1:9';
const words = (s: RelaySocket) => (s.lastClose ? closeWords(s.lastClose, { url: URL, roomLimit: null }) : null);
const newSocket = () => new RelaySocket({ onOpen() {}, onFrame() {}, onStatus() {}, onBadFrame() {} });

describe('the relay socket', () => {
  it('backs off further each time a relay turns it away, though each socket opened first', () => {
    const s = newSocket();
    s.want(URL);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const ws = FakeSocket.all.at(-1)!;
      ws.open();
      ws.receive({ type: 'ERROR', code: 'ORIGIN_DENIED', message: 'no' });
      ws.closeWith(4003, 'ORIGIN_DENIED');
      delays.push(s.retryAt! - Date.now());
      vi.advanceTimersByTime(s.retryAt! - Date.now());
    }
    // Equal-jitter backoff: attempt n waits between half and all of 500 ms × 2^n.
    expect(delays[5]).toBeGreaterThanOrEqual(8_000);
    expect(words(s)).toBe('The relay refused this browser (origin not allowed). Ask its operator to allow Parley, or choose another relay in settings.');
  });

  it('says it cannot reach an address where no socket opens, and Retry now tries at once', () => {
    const s = newSocket();
    s.want(URL);
    FakeSocket.all.at(-1)!.closeWith(1006);
    expect(words(s)).toBe(`Can't reach ${URL}`);
    expect(s.retryAt).not.toBeNull();
    const before = FakeSocket.all.length;
    s.retryNow();
    expect(FakeSocket.all.length).toBe(before + 1);
    expect(s.retryAt).toBeNull();
    // Served by the relay: all is well again, and nothing is left to say.
    const ws = FakeSocket.all.at(-1)!;
    ws.open();
    ws.receive({ type: 'PONG', t: 1 });
    expect(s.lastClose).toBeNull();
  });

  it('gives up on a socket that has not opened within 10 s, says so, and retries', () => {
    const s = newSocket();
    s.want(URL);
    const first = FakeSocket.all.length;
    vi.advanceTimersByTime(9_999);
    expect(s.lastClose).toBeNull();
    vi.advanceTimersByTime(1);
    expect(words(s)).toBe(`${URL} did not answer within 10 s`);
    expect(s.status).toBe('connecting');
    expect(s.retryAt).not.toBeNull();
    vi.advanceTimersByTime(s.retryAt! - Date.now());
    expect(FakeSocket.all.length).toBe(first + 1);
  });

  it('after SHUTTING_DOWN, failures are the relay restarting, for up to 2 minutes or until a socket opens', () => {
    const s = newSocket();
    s.want(URL);
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.closeWith(4010, 'SHUTTING_DOWN');
    expect(words(s)).toBe('The relay is restarting.');
    const fail = () => {
      vi.advanceTimersByTime(s.retryAt! - Date.now());
      FakeSocket.all.at(-1)!.closeWith(1006);
    };
    fail();
    expect(words(s)).toBe('The relay is restarting.');
    // A silent address (the open timeout) is the restart too.
    vi.advanceTimersByTime(s.retryAt! - Date.now());
    vi.advanceTimersByTime(10_000);
    expect(words(s)).toBe('The relay is restarting.');
    // Back, then gone again without a word: no longer a restart.
    vi.advanceTimersByTime(s.retryAt! - Date.now());
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.closeWith(1006);
    expect(words(s)).toBe(`Lost the connection to ${URL}`);
    fail();
    expect(words(s)).toBe(`Can't reach ${URL}`);

    // A restart that takes longer than 2 minutes is told in plain words from then on.
    const t = newSocket();
    t.want(URL);
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.closeWith(4010, 'SHUTTING_DOWN');
    const since = Date.now();
    while (Date.now() - since <= 120_000) {
      vi.advanceTimersByTime(t.retryAt! - Date.now());
      FakeSocket.all.at(-1)!.closeWith(1006);
      const plain = Date.now() - since > 120_000;
      expect(t.lastClose && closeWords(t.lastClose, { url: URL, roomLimit: null })).toBe(plain ? `Can't reach ${URL}` : 'The relay is restarting.');
    }
  });

  // docs/protocol.md, "Handshake policies": once an address has been told CONNECTING_TOO_FAST, the
  // relay drops its further sockets at accept while it is over the rate: the browser sees 1006.
  it('after CONNECTING_TOO_FAST, silent drops are still "too fast", also when the settings check heard it', () => {
    const tooFast = 'Your network is opening connections to this relay faster than it allows.';
    const s = newSocket();
    s.want(URL);
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.closeWith(4030, 'CONNECTING_TOO_FAST');
    expect(words(s)).toBe(tooFast);
    vi.advanceTimersByTime(s.retryAt! - Date.now());
    FakeSocket.all.at(-1)!.closeWith(1006);
    expect(words(s)).toBe(tooFast);

    // The settings check's own socket was the one told; the background's socket only meets drops.
    const t = newSocket();
    t.heard(URL, 'CONNECTING_TOO_FAST');
    t.want(URL);
    FakeSocket.all.at(-1)!.closeWith(1006);
    expect(words(t)).toBe(tooFast);
    // Another relay's reason says nothing about this one.
    const u = newSocket();
    u.heard('ws://127.0.0.1:2', 'CONNECTING_TOO_FAST');
    u.want(URL);
    FakeSocket.all.at(-1)!.closeWith(1006);
    expect(words(u)).toBe(`Can't reach ${URL}`);
  });
});
