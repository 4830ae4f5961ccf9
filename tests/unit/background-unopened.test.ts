// Defect 5 of issue 7: a copy that does not open (altered on the way) must not take the message's
// id, or the genuine copy arriving later is dropped as a duplicate and the message is hidden for good.
import { beforeEach, describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

const NOTICE = 'A message could not be opened and was skipped.';
let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
});

const lines = async (f: Fixture) => (await roomMessages(f.bg.db, f.keys.roomId)).map((m) => `${m.kind}:${m.text}`);
const corrupt = (body: string) => body.slice(0, -4) + (body.endsWith('AAAA') ? 'BBBB' : 'AAAA');

describe('a copy that does not open', () => {
  it('shows the genuine copy that arrives after it, in its place, and the notice goes', async () => {
    const genuine = await f.incoming('the real text', 3);
    await onChatMessage(f.bg, f.link, { ...genuine, body: corrupt(genuine.body) });
    expect(await lines(f)).toEqual([`notice:${NOTICE}`]);
    await onChatMessage(f.bg, f.link, genuine);
    expect(await lines(f)).toEqual(['message:the real text']);
    // The views were told both: the notice removed, the message added.
    expect(f.posted.some((m) => m.type === 'room-item-removed')).toBe(true);
    expect(f.posted.some((m) => m.type === 'room-item' && m.item.text === 'the real text')).toBe(true);
  });

  it('shows one notice however often the same bad copy comes, and none once the message is there', async () => {
    const genuine = await f.incoming('kept', 4);
    const bad = { ...genuine, body: corrupt(genuine.body) };
    await onChatMessage(f.bg, f.link, bad);
    await onChatMessage(f.bg, f.link, bad);
    expect(await lines(f)).toEqual([`notice:${NOTICE}`]);
    await onChatMessage(f.bg, f.link, genuine);
    await onChatMessage(f.bg, f.link, bad);
    expect(await lines(f)).toEqual(['message:kept']);
  });
});
