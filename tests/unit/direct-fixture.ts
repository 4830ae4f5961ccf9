import type { Runtime } from 'webextension-polyfill';
import { acceptOffscreen, onSignal } from '../../src/background/direct-path.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { sealSignal } from '../../src/shared/signal-seal.ts';
import type { BackgroundToOffscreen } from '../../src/shared/offscreen-messages.ts';
import type { Fixture } from './background-fixture.ts';

// The direct path's unit-test fixture: Chrome's offscreen API and the offscreen document's port are
// fake, everything else (the background, its database, the sealed signals) is the real code.

/**
 * `other` (the lower peer id) offers us (`me`) a connection in the fixture's room, through a fake
 * offscreen port. Returns what we sent on channels (parsed) and a way for the document to report.
 */
export async function answerOffer(f: Fixture, other: string, me: string): Promise<{ sent: unknown[]; report: (msg: unknown) => void }> {
  (globalThis as { chrome?: unknown }).chrome = { offscreen: { createDocument: async () => {}, closeDocument: async () => {} } };
  const room = f.keys.roomId;
  f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
  presenceOnRoom(f.link, { type: 'ROOM', room, peer: me, members: [other], head: 0, epoch: 1, created: false });
  const body = await sealSignal(f.keys, { v: 1, kind: 'offer', from: other, to: me, at: Date.now(), data: 'v=0\r\n' });
  await onSignal(f.bg, f.link, { type: 'SIGNAL', room, from: other, kind: 'offer', body });
  const listeners: ((m: unknown) => void)[] = [];
  const sent: unknown[] = [];
  acceptOffscreen(f.bg, {
    postMessage: (m: { type: string; data?: string }) => { if (m.type === 'send' && m.data) sent.push(JSON.parse(m.data)); },
    disconnect: () => {},
    onMessage: { addListener: (l: (m: unknown) => void) => listeners.push(l) },
    onDisconnect: { addListener: () => {} },
  } as unknown as Runtime.Port);
  return { sent, report: (msg) => { for (const l of listeners) l(msg); } };
}

/**
 * An open channel from `other` (who offers: the lower peer id) to us (`me`) in the fixture's room.
 * Returns what we sent on it (channel data, parsed) and a way for `other` to deliver on it.
 */
export async function openChannelFrom(f: Fixture, other: string, me: string): Promise<{ sent: unknown[]; deliver: (data: string) => Promise<void> }> {
  const { sent, report } = await answerOffer(f, other, me);
  const conn = `${f.keys.roomId}|${other}`;
  report({ type: 'channel-open', conn });
  await f.settled();
  return {
    sent,
    deliver: async (data) => {
      report({ type: 'channel-message', conn, data });
      await f.settled();
    },
  };
}

/** The offscreen document as the background sees it: what it was told, and a way to report. */
export interface FakeDoc {
  told: BackgroundToOffscreen[];
  report(msg: unknown): void;
  /** The document goes (closed, crashed): its port disconnects. */
  gone(): void;
  created: () => number;
}

/** Chrome's offscreen API, faked: each document made hands the background its port at once. */
export function fakeDoc(f: Fixture): FakeDoc {
  let created = 0;
  const doc: FakeDoc = { told: [], report: () => {}, gone: () => {}, created: () => created };
  const connect = () => {
    const listeners: ((m: unknown) => void)[] = [];
    const onGone: (() => void)[] = [];
    acceptOffscreen(f.bg, {
      postMessage: (m: BackgroundToOffscreen) => doc.told.push(m), disconnect: () => {},
      onMessage: { addListener: (l: (m: unknown) => void) => listeners.push(l) },
      onDisconnect: { addListener: (l: () => void) => onGone.push(l) },
    } as unknown as Runtime.Port);
    doc.report = (m) => { for (const l of listeners) l(m); };
    doc.gone = () => { for (const l of onGone) l(); };
  };
  (globalThis as { chrome?: unknown }).chrome = { offscreen: { createDocument: async () => { created++; connect(); }, closeDocument: async () => {} } };
  return doc;
}
