import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from 'webextension-polyfill';
import { acceptOffscreen, onSignal, pathOf } from '../../src/background/direct-path.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { sealSignal } from '../../src/shared/signal-seal.ts';
import type { SignalDeliverFrame } from '../../src/shared/protocol.ts';
import { backgroundFixture } from './background-fixture.ts';

// review13: docs/protocol.md "What is sealed in a signal body" says a relay cannot "replay an old one
// into a later connection (peer ids are per connection, and 30 s bounds the rest)". But within those
// 30 s a relay can replay the offer that opened a live channel: the answerer closes its OPEN
// connection and starts a new one (direct-path.ts onSignal), whose answer the offerer (already
// stable) cannot take, so both sides end relayed, and rule 4 means nothing tries again until a member
// joins again. So a hostile relay can take away the direct path it is supposed to be unable to stop.
// Only a chrome.offscreen stub and the port are fakes; the rest is direct-path.ts as built.

const A = 'p0000000000000001'; // lower id: offers
const B = 'p0000000000000002'; // us: answers

afterEach(() => { delete (globalThis as { chrome?: unknown }).chrome; });

describe('an offer replayed by the relay within 30 s', () => {
  it('does not close the open direct connection it opened', async () => {
    (globalThis as { chrome?: unknown }).chrome = { offscreen: { createDocument: async () => {}, closeDocument: async () => {} } };
    const f = await backgroundFixture();
    const room = f.keys.roomId;
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: B, members: [A], head: 0, epoch: 1, created: false });
    const body = await sealSignal(f.keys, { v: 1, kind: 'offer', from: A, to: B, at: Date.now(), data: 'v=0\r\n' });
    const offer: SignalDeliverFrame = { type: 'SIGNAL', room, from: A, kind: 'offer', body };

    await onSignal(f.bg, f.link, offer);
    // The offscreen document's port: it reports the channel open.
    const listeners: ((m: unknown) => void)[] = [];
    const port = {
      postMessage: () => {}, disconnect: () => {},
      onMessage: { addListener: (l: (m: unknown) => void) => listeners.push(l) },
      onDisconnect: { addListener: () => {} },
    } as unknown as Runtime.Port;
    acceptOffscreen(f.bg, port);
    for (const l of listeners) l({ type: 'channel-open', conn: `${room}|${A}` });
    await f.settled();
    expect(pathOf(f.bg, room, A)).toBe('direct');

    await onSignal(f.bg, f.link, offer); // the relay sends the same frame again, seconds later
    expect(pathOf(f.bg, room, A)).toBe('direct');
  });
});
