import type { Runtime } from 'webextension-polyfill';
import { acceptOffscreen, onSignal } from '../../src/background/direct-path.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { sealSignal } from '../../src/shared/signal-seal.ts';
import type { Fixture } from './background-fixture.ts';

// The direct path's unit-test fixture: Chrome's offscreen API and the offscreen document's port are
// fake, everything else (the background, its database, the sealed signals) is the real code.

/**
 * An open channel from `other` (who offers: the lower peer id) to us (`me`) in the fixture's room.
 * Returns what we sent on it (channel data, parsed) and a way for `other` to deliver on it.
 */
export async function openChannelFrom(f: Fixture, other: string, me: string): Promise<{ sent: unknown[]; deliver: (data: string) => Promise<void> }> {
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
  const conn = `${room}|${other}`;
  for (const l of listeners) l({ type: 'channel-open', conn });
  await f.settled();
  return {
    sent,
    deliver: async (data) => {
      for (const l of listeners) l({ type: 'channel-message', conn, data });
      await f.settled();
    },
  };
}
