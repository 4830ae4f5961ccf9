import { decodeRelayFrame, encodeFrame } from '../shared/codec.ts';
import { closeWords, type WordsContext } from './relay-words.ts';

export interface ProbeResult {
  ok: boolean;
  message: string;
  /** The close reason the relay gave when it turned the check's socket away, if any. */
  reason?: string;
}

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Is there a Parley relay at `url`? Opens a socket of its own and asks for a PONG, so a saved
 * address is confirmed (or refused, in words) at once instead of leaving the popup "connecting".
 */
export function probeRelay(context: WordsContext, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const { url } = context;
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      resolve({ ok: false, message: `${url} is not an address Parley can connect to.` });
      return;
    }
    let opened = false;
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.onclose = null;
      ws.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish(opened
      ? { ok: false, message: `Something at ${url} answered, but not like a Parley relay.` }
      : { ok: false, message: `${url} did not answer within ${Math.round(timeoutMs / 1000)} s.` }), timeoutMs);
    const t = Date.now();
    ws.onopen = () => {
      opened = true;
      ws.send(encodeFrame({ type: 'PING', t }));
    };
    ws.onmessage = (event) => {
      const frame = typeof event.data === 'string' ? decodeRelayFrame(event.data) : null;
      if (frame?.ok && frame.value.type === 'PONG' && frame.value.t === t) finish({ ok: true, message: `The relay at ${url} answered.` });
    };
    ws.onclose = async (event) => {
      if (settled) return;
      if (opened || event.code !== 1006) {
        finish({ ok: false, message: closeWords({ code: event.code, reason: event.reason, opened }, context), reason: event.reason });
        return;
      }
      finish({ ok: false, message: await whyNotOpened(url) });
    };
    ws.onerror = () => {};
  });
}

async function whyNotOpened(url: string): Promise<string> {
  switch (await whatAnswers(url)) {
    case 'parley': return `${busyWords(url)}. Try again in a moment.`;
    case 'other': return `Something at ${url} answered, but it is not a Parley relay. Check the address and port.`;
    case 'nothing': return `Can't reach ${url}: nothing answers there. Check the address, and that the relay is running.`;
  }
}

/** What answers at the address of a socket that did not open. */
export type Answerer = 'parley' | 'other' | 'nothing';

/** A Parley relay that answers HTTP but did not take the socket (it drops them before the upgrade when busy). */
export function busyWords(url: string): string {
  return `The relay at ${url} is up but did not accept the connection (it may be busy)`;
}

/**
 * Tells a Parley relay that turned the socket away before the upgrade (too many handshakes, a
 * stalled one: it drops the TCP connection) from something else, and from nothing at all. The relay
 * lets extension origins read its /healthz; anything else there fails that request.
 */
export async function whatAnswers(url: string): Promise<Answerer> {
  try {
    const res = await fetch(new URL('/healthz', url.replace(/^ws/, 'http')), { cache: 'no-store', signal: AbortSignal.timeout(3_000) });
    const health: unknown = await res.json();
    if (typeof health === 'object' && health !== null && typeof (health as { protocol?: unknown }).protocol === 'number') return 'parley';
  } catch {
    // Not readable: not a Parley relay (or an older one), or nothing there. Ask plainly below.
  }
  return (await somethingAnswers(url)) ? 'other' : 'nothing';
}

/**
 * A browser tells a script nothing about why a WebSocket did not open. An HTTP request to the
 * same host and port tells apart "nothing listens there" from "something else answers there".
 */
export async function somethingAnswers(url: string): Promise<boolean> {
  try {
    // no-cors: the answer is opaque, but that there was one is all we need to know.
    await fetch(url.replace(/^ws/, 'http'), { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}
