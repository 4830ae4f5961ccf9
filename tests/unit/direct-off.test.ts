import { afterEach, describe, expect, it } from 'vitest';
import { directOnMembers, onSignal, pathOf } from '../../src/background/direct-path.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { sealSignal } from '../../src/shared/signal-seal.ts';
import { backgroundFixture } from './background-fixture.ts';

// "Direct connections" is off by default (docs/security.md): then the direct path does nothing at
// all. Only chrome.offscreen is a stub, counting the documents asked for.

const A = 'p0000000000000001';
const B = 'p0000000000000002'; // us: higher, answers A
const C = 'p0000000000000003'; // higher than us: we would offer to it were the setting on

afterEach(() => { delete (globalThis as { chrome?: unknown }).chrome; });

describe('with "Direct connections" off (the default)', () => {
  it('makes no offscreen document, ignores a SIGNAL without error, and sends a message only to the relay', async () => {
    let documents = 0;
    (globalThis as { chrome?: unknown }).chrome = { offscreen: { createDocument: async () => { documents++; }, closeDocument: async () => {} } };
    const f = await backgroundFixture();
    expect(f.bg.mem.settings.directConnections).toBeFalsy();
    const room = f.keys.roomId;
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: B, members: [A, C], head: 0, epoch: 1, created: false });
    directOnMembers(f.bg, f.link, room);

    const body = await sealSignal(f.keys, { v: 1, kind: 'offer', from: A, to: B, at: Date.now(), data: 'v=0\r\n' });
    await expect(onSignal(f.bg, f.link, { type: 'SIGNAL', room, from: A, kind: 'offer', body })).resolves.toBeUndefined();

    f.link.synced.add(room);
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'hello', id: newMessageId() }, f.view());
    await f.settled();

    expect(documents).toBe(0);
    expect(f.bg.direct).toBeUndefined();
    expect(pathOf(f.bg, room, A)).toBeUndefined();
    expect(f.sent.map((s) => s.type)).toEqual(['CHATMSG']);
  });
});
