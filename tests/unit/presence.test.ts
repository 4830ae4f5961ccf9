import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { typing as typingIntent } from '../../src/background/intents/typing.ts';
import { ownIdentity } from '../../src/background/identity.ts';
import { announceEverywhere, roomPresence } from '../../src/background/presence.ts';
import { openEphemeral, sealEphemeral, signedHere, type Ephemeral } from '../../src/shared/ephemeral.ts';
import { newSigningKeys, publicKeyText, fingerprint } from '../../src/shared/identity.ts';
import type { RelayToClient } from '../../src/shared/protocol.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';


// The presence rules at the top of src/background/presence.ts and in docs/protocol.md ("What is
// sealed in an ephemeral body"), through the relay frames and intents that drive them.

const ME = 'pAAAAAAAAAAAAAAAA';
const ANA = 'pBBBBBBBBBBBBBBBB';
const BOB = 'pCCCCCCCCCCCCCCCC';

afterEach(() => vi.useRealTimers());

async function inRoom(members: string[]): Promise<Fixture> {
  const f = await backgroundFixture();
  const frames: RelayToClient[] = [
    { type: 'ROOM', room: f.keys.roomId, peer: ME, members, head: 0, epoch: 1, created: false },
    { type: 'SYNCED', room: f.keys.roomId, head: 0 },
  ];
  for (const frame of frames) await handleRelayFrame(f.bg, f.link, frame);
  return f;
}

async function sentEphemerals(f: Fixture): Promise<Ephemeral[]> {
  const out: Ephemeral[] = [];
  for (const frame of f.sent) {
    if (frame.type !== 'EPHEMERAL') continue;
    const body = await openEphemeral(f.keys, frame.body, Date.now());
    if (body) out.push(body);
  }
  return out;
}

async function from(f: Fixture, peer: string, body: Ephemeral): Promise<void> {
  await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: f.keys.roomId, from: peer, body: await sealEphemeral(f.keys, body) });
}

async function identity() {
  const keys = await newSigningKeys();
  return { privateKey: keys.privateKey, publicKey: await publicKeyText(keys.publicKey) };
}

const presence = (f: Fixture) => roomPresence(f.bg, f.link, f.keys.roomId);

describe('presence', () => {
  it('a newcomer announces itself, signed, once its replay is done, and asks the others', async () => {
    const f = await inRoom([ANA]);
    const [here] = await sentEphemerals(f);
    expect(here).toMatchObject({ k: 'here', ask: true, key: (await ownIdentity(f.bg.db)).publicKey });
  });

  it('the periodic repeat says here again (without asking) in live rooms with others in them', async () => {
    const f = await inRoom([ANA]);
    f.sent.length = 0;
    await announceEverywhere(f.bg);
    expect(await sentEphemerals(f)).toEqual([expect.objectContaining({ k: 'here', ask: false })]);
    await handleRelayFrame(f.bg, f.link, { type: 'LEFT', room: f.keys.roomId, peer: ANA });
    f.sent.length = 0;
    await announceEverywhere(f.bg);
    expect(await sentEphemerals(f)).toEqual([]);
  });

  it('alone in the room, nothing is announced', async () => {
    const f = await inRoom([]);
    expect(await sentEphemerals(f)).toEqual([]);
  });

  it('shows a member verified only under a here signed for the peer id the relay stamped', async () => {
    const f = await inRoom([ANA, BOB]);
    const ana = await identity();
    await from(f, ANA, await signedHere(ana, f.keys.roomId, ANA, 'Ana', false, Date.now()));
    // Ana's here replayed by someone as Bob: a nickname, not verified.
    await from(f, BOB, await signedHere(ana, f.keys.roomId, ANA, 'Ana', false, Date.now()));
    const { members } = await presence(f);
    expect(members).toHaveLength(3);
    expect(members!.find((m) => m.peer === ANA)).toMatchObject({ nick: 'Ana', fingerprint: await fingerprint(ana.publicKey), me: false });
    expect(members!.find((m) => m.peer === ANA)!.safetyCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(members!.find((m) => m.peer === BOB)).toMatchObject({ nick: 'Ana', fingerprint: null, safetyCode: null });
    expect(members!.find((m) => m.me)).toMatchObject({ peer: ME, fingerprint: (await ownIdentity(f.bg.db)).fingerprint });
  });

  it('answers an ask once per asking peer, without asking back', async () => {
    const f = await inRoom([ANA]);
    f.sent.length = 0;
    const ana = await identity();
    await from(f, ANA, await signedHere(ana, f.keys.roomId, ANA, 'Ana', true, Date.now()));
    await from(f, ANA, await signedHere(ana, f.keys.roomId, ANA, 'Ana', true, Date.now()));
    const answers = await sentEphemerals(f);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ k: 'here', ask: false });
  });

  it('drops a broadcast from a peer the relay did not put in the room', async () => {
    const f = await inRoom([ANA]);
    await from(f, BOB, { v: 1, k: 'typing', at: Date.now() });
    expect((await presence(f)).members!.map((m) => m.peer)).toEqual([ME, ANA]);
    expect((await presence(f)).typing).toEqual([]);
  });

  it('typing shows for 6 s after the last typing, and ends on stopped, on a message, or on LEFT', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const f = await inRoom([ANA]);
    await from(f, ANA, { v: 1, k: 'here', at: Date.now(), nick: 'Ana', ask: false });
    await from(f, ANA, { v: 1, k: 'typing', at: Date.now() });
    expect((await presence(f)).typing).toEqual(['Ana']);
    vi.setSystemTime(Date.now() + 5_900);
    expect((await presence(f)).typing).toEqual(['Ana']);
    vi.setSystemTime(Date.now() + 200);
    expect((await presence(f)).typing).toEqual([]);

    await from(f, ANA, { v: 1, k: 'typing', at: Date.now() });
    await from(f, ANA, { v: 1, k: 'stopped', at: Date.now() });
    expect((await presence(f)).typing).toEqual([]);

    await from(f, ANA, { v: 1, k: 'typing', at: Date.now() });
    await handleRelayFrame(f.bg, f.link, { ...(await f.incoming('hi', 1)), from: ANA });
    expect((await presence(f)).typing).toEqual([]);

    await from(f, ANA, { v: 1, k: 'typing', at: Date.now() });
    await handleRelayFrame(f.bg, f.link, { type: 'LEFT', room: f.keys.roomId, peer: ANA });
    expect((await presence(f)).typing).toEqual([]);
    expect((await presence(f)).members!.map((m) => m.peer)).toEqual([ME]);
  });

  it('our typing goes out at most every 3 s, and stopped only after a typing', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const f = await inRoom([ANA]);
    f.sent.length = 0;
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: false });
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
    vi.setSystemTime(Date.now() + 2_999);
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
    vi.setSystemTime(Date.now() + 1);
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: false });
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: false });
    expect((await sentEphemerals(f)).map((e) => e.k)).toEqual(['typing', 'typing', 'stopped']);
  });

  it('typing again soon after a stopped is shown once 3 s have passed since the last typing, unless it stops first', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const f = await inRoom([ANA]);
    f.sent.length = 0;
    const say = (typing: boolean) => typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing });
    await say(true);
    await say(false);
    vi.advanceTimersByTime(1_000);
    await say(true);
    vi.advanceTimersByTime(1_999);
    await f.settled();
    expect((await sentEphemerals(f)).map((e) => e.k).filter((k) => k !== 'got')).toEqual(['typing', 'stopped']);
    vi.advanceTimersByTime(1);
    await f.settled();
    expect((await sentEphemerals(f)).map((e) => e.k).filter((k) => k !== 'got')).toEqual(['typing', 'stopped', 'typing']);
    // Held back, then stopped before the throttle allowed it: nothing more goes out.
    await say(false);
    vi.advanceTimersByTime(500);
    await say(true);
    await say(false);
    vi.advanceTimersByTime(5_000);
    await f.settled();
    expect((await sentEphemerals(f)).map((e) => e.k).filter((k) => k !== 'got')).toEqual(['typing', 'stopped', 'typing', 'stopped']);
  });

  it('a typist sending line after line sends one typing and one stopped per 3 s, not a pair per line', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const f = await inRoom([ANA]);
    f.sent.length = 0;
    for (let line = 0; line < 10; line++) {
      await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
      await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: false });
      vi.setSystemTime(Date.now() + 200);
    }
    expect((await sentEphemerals(f)).map((e) => e.k)).toEqual(['typing', 'stopped']);
  });

  it('members are unknown while the relay link is not online, never the count from before', async () => {
    const f = await inRoom([ANA]);
    expect((await presence(f)).members).toHaveLength(2);
    f.sockets.get(f.link.url)!.status = 'connecting';
    expect(await presence(f)).toEqual({ members: null, typing: [] });
  });

  it('our message is delivered once every member present at its ACK said got at or above its seq', async () => {
    const f = await inRoom([ANA, BOB]);
    const id = '01J0000000000000000000000A';
    await f.bg.db.put('messages', {
      roomId: f.keys.roomId, id, kind: 'message', seq: null, order: Number.MAX_SAFE_INTEGER, mine: true, nick: '', text: 'hi', sentAt: 1, status: 'sending',
    });
    // Bob's receipt may overtake our ACK.
    await from(f, BOB, { v: 1, k: 'got', at: Date.now(), seq: 7 });
    await handleRelayFrame(f.bg, f.link, { type: 'ACK', room: f.keys.roomId, id, seq: 7, at: 2 });
    expect((await f.bg.db.get('messages', [f.keys.roomId, id]))!.status).toBe('sent');
    await from(f, ANA, { v: 1, k: 'got', at: Date.now(), seq: 6 });
    expect((await f.bg.db.get('messages', [f.keys.roomId, id]))!.status).toBe('sent');
    await from(f, ANA, { v: 1, k: 'got', at: Date.now(), seq: 9 });
    expect((await f.bg.db.get('messages', [f.keys.roomId, id]))!.status).toBe('delivered');
    expect(f.posted.filter((p) => p.type === 'room-item').at(-1)).toMatchObject({ item: { id, status: 'delivered' } });
  });

  it('with nobody else present, our message stays sent', async () => {
    const f = await inRoom([]);
    const id = '01J0000000000000000000000B';
    await f.bg.db.put('messages', {
      roomId: f.keys.roomId, id, kind: 'message', seq: null, order: Number.MAX_SAFE_INTEGER, mine: true, nick: '', text: 'hi', sentAt: 1, status: 'sending',
    });
    await handleRelayFrame(f.bg, f.link, { type: 'ACK', room: f.keys.roomId, id, seq: 1, at: 2 });
    expect((await f.bg.db.get('messages', [f.keys.roomId, id]))!.status).toBe('sent');
  });

  it('a receipt for what we stored goes out once per second at most, naming our last seq', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const f = await inRoom([ANA]);
    f.sent.length = 0;
    vi.advanceTimersByTime(1_000); // the one after the replay
    await f.settled();
    for (const seq of [1, 2, 3]) await handleRelayFrame(f.bg, f.link, { ...(await f.incoming('m', seq)), from: ANA });
    vi.advanceTimersByTime(999);
    await f.settled();
    expect((await sentEphemerals(f)).map((e) => e.k)).toEqual(['got']);
    vi.advanceTimersByTime(1);
    await f.settled();
    expect((await sentEphemerals(f)).filter((e) => e.k === 'got').map((e) => (e as { seq: number }).seq)).toEqual([0, 3]);
  });

  it('EPHEMERAL_RATE_LIMITED is absorbed quietly: the user is shown nothing, and typing goes on', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const f = await inRoom([ANA]);
    f.posted.length = 0;
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
    await handleRelayFrame(f.bg, f.link, { type: 'ERROR', code: 'EPHEMERAL_RATE_LIMITED', message: 'slow down', ref: 'EPHEMERAL', room: f.keys.roomId });
    expect(f.posted.filter((p) => p.type === 'error')).toEqual([]);
    vi.setSystemTime(Date.now() + 3_000);
    f.sent.length = 0;
    await typingIntent(f.bg, { type: 'typing', roomId: f.keys.roomId, typing: true });
    expect((await sentEphemerals(f)).map((e) => e.k)).toEqual(['typing']);
  });
});
