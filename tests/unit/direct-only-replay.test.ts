import { describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { receiveDirect } from '../../src/background/direct-receive.ts';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { backgroundFixture } from './background-fixture.ts';

// docs/protocol.md "Messages sent only directly", Order: "A relayed line with a lower
// seq that arrives later (a replay after being offline) sorts before it". The local order takes
// m from the room's lastSeq at the moment the direct-only line arrives; while the relay is still
// replaying what we missed (ROOM said head 5, we have 2), lastSeq is 2, so the direct-only line
// goes at 2 + 1/1024 and the replayed lines 3, 4, 5, older than it, all sort AFTER it: the line
// just sent to us is buried above the history we missed, away from the bottom of the chat.
// The relay's head (ROOM's `head`) says where the replay ends.

describe('a direct-only line that comes during a replay', () => {
  it('sorts after the replayed lines the relay had before it (ROOM head), as the doc says', async () => {
    const f = await backgroundFixture();
    const room = f.keys.roomId;
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    await handleRelayFrame(f.bg, f.link, { type: 'ROOM', room, peer: 'pAAAAAAAAAAAAAAAA', members: ['p0000000000000000'], head: 5, epoch: 1, created: false });
    for (const seq of [1, 2]) await handleRelayFrame(f.bg, f.link, await f.incoming(`missed ${seq}`, seq));
    const only = await f.incoming('sent just now, only directly', 0);
    await receiveDirect(f.bg, room, JSON.stringify({ t: 'msg', room, id: only.id, body: only.body, only: true }));
    for (const seq of [3, 4, 5]) await handleRelayFrame(f.bg, f.link, await f.incoming(`missed ${seq}`, seq));
    await handleRelayFrame(f.bg, f.link, { type: 'SYNCED', room, head: 5 });
    const texts = (await roomMessages(f.bg.db, room)).filter((m) => m.kind === 'message').map((m) => m.text);
    expect(texts).toEqual(['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'sent just now, only directly']);
  });
});
