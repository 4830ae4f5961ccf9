import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { typing as typingIntent } from '../../src/background/intents/typing.ts';
import { ownIdentity } from '../../src/background/identity.ts';
import { announceEverywhere, roomPresence } from '../../src/background/presence.ts';
import { openEphemeral, sealEphemeral, signedHere, type Ephemeral, type Unstamped } from '../../src/shared/ephemeral.ts';
import { sealMessage } from '../../src/shared/crypto.ts';
import { newSigningKeys, publicKeyText, fingerprint } from '../../src/shared/identity.ts';
import { OTHER_KEY_LABEL, signOutgoing } from '../../src/shared/identity-rules.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
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

/** A body from `peer` as the relay stamps it; sealed naming `peer` inside unless the body names another. */
async function from(f: Fixture, peer: string, body: Unstamped | Ephemeral): Promise<void> {
  const sealed = await sealEphemeral(f.keys, { peer, ...body } as Ephemeral);
  await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: f.keys.roomId, from: peer, body: sealed });
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
    // Ana's here sealed again by a member, naming Bob inside, sent as Bob: a nickname, not verified.
    await from(f, BOB, { ...(await signedHere(ana, f.keys.roomId, ANA, 'Ana', false, Date.now())), peer: BOB });
    const { members } = await presence(f);
    expect(members).toHaveLength(3);
    expect(members!.find((m) => m.peer === ANA)).toMatchObject({ nick: 'Ana', fingerprint: await fingerprint(ana.publicKey), me: false });
    expect(members!.find((m) => m.peer === ANA)!.safetyCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(members!.find((m) => m.peer === BOB)).toMatchObject({ nick: 'Ana', fingerprint: null, safetyCode: null });
    expect(members!.find((m) => m.me)).toMatchObject({ peer: ME, fingerprint: (await ownIdentity(f.bg.db)).fingerprint });
  });

  it('says a typing name is not verified when no signature stands behind it, as the member list does', async () => {
    const f = await inRoom([ANA, BOB]);
    await from(f, ANA, { v: 1, k: 'here', at: Date.now(), nick: 'Ana', ask: false });
    await from(f, ANA, { v: 1, k: 'typing', at: Date.now() });
    await from(f, BOB, { v: 1, k: 'typing', at: Date.now() });
    expect((await presence(f)).typing).toEqual(['Ana (not verified)', 'Someone']);
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
    await from(f, ANA, await signedHere(await identity(), f.keys.roomId, ANA, 'Ana', false, Date.now()));
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

  // docs/security.md: a relay can drop, delay or replay a sealed body, but only a member (who holds
  // the room key) can make one of our messages read "delivered". Every body names its sender's peer
  // id inside the seal, so a body re-stamped under another peer id is dropped.
  it('a got the relay re-stamps under a silent member\'s peer id does not make our message delivered', async () => {
    const f = await inRoom([ANA, BOB]);
    const id = '01J0000000000000000000000A';
    await f.bg.db.put('messages', {
      roomId: f.keys.roomId, id, kind: 'message', seq: null, order: Number.MAX_SAFE_INTEGER, mine: true, nick: '', text: 'hi', sentAt: 1, status: 'sending',
    });
    await handleRelayFrame(f.bg, f.link, { type: 'ACK', room: f.keys.roomId, id, seq: 7, at: 2 });
    // Ana really stored it and says so; the relay forwards her sealed body a second time as Bob's.
    const anaGot = await sealEphemeral(f.keys, { v: 1, k: 'got', peer: ANA, at: Date.now(), seq: 7 });
    await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: f.keys.roomId, from: ANA, body: anaGot });
    await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: f.keys.roomId, from: BOB, body: anaGot });
    expect((await f.bg.db.get('messages', [f.keys.roomId, id]))!.status).toBe('sent');
  });

  it('a typing the relay re-stamps under another member\'s peer id does not show that member typing', async () => {
    const f = await inRoom([ANA, BOB]);
    await from(f, BOB, { v: 1, k: 'here', peer: BOB, at: Date.now(), nick: 'Bob', ask: false });
    await from(f, BOB, { v: 1, k: 'typing', peer: ANA, at: Date.now() });
    expect((await presence(f)).typing).toEqual([]);
  });

  // A resync on the same connection (GETROOM for a room we are in) is answered with ROOM again and
  // no JOINED: members still there keep the names they said, not nameless until the next repeat.
  it('a member keeps their nickname when the relay answers a resync with ROOM again', async () => {
    const f = await inRoom([ANA, BOB]);
    await from(f, ANA, await signedHere(await identity(), f.keys.roomId, ANA, 'Ana', false, Date.now()));
    const before = (await presence(f)).members!.find((m) => m.peer === ANA)!;
    expect(before.nick).toBe('Ana');
    await handleRelayFrame(f.bg, f.link, { type: 'ROOM', room: f.keys.roomId, peer: ME, members: [ANA], head: 0, epoch: 1, created: false });
    await handleRelayFrame(f.bg, f.link, { type: 'SYNCED', room: f.keys.roomId, head: 0 });
    const after = await presence(f);
    expect(after.members!.find((m) => m.peer === ANA)).toEqual(before);
    expect(after.members!.map((m) => m.peer)).toEqual([ME, ANA]); // Bob is no longer listed: gone
  });

  // A relay cannot forge a sealed body but may replay one within 30 s: nothing a user sees changes
  // after the first copy, so the copies cost no timers and no redraws.
  it('one typing body replayed 1,000 times keeps one timer and redraws once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const f = await inRoom([ANA]);
    let redraws = 0;
    f.bg.refresh = () => void redraws++;
    const body = await sealEphemeral(f.keys, { v: 1, k: 'typing', peer: ANA, at: Date.now() });
    const timersBefore = vi.getTimerCount();
    for (let i = 0; i < 1_000; i++) await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: f.keys.roomId, from: ANA, body });
    expect(vi.getTimerCount() - timersBefore).toBeLessThanOrEqual(1);
    expect(redraws).toBeLessThanOrEqual(1);
  });

  it('one here body replayed 1,000 times redraws once', async () => {
    const f = await inRoom([ANA]);
    let redraws = 0;
    f.bg.refresh = () => void redraws++;
    const body = await sealEphemeral(f.keys, await signedHere(await identity(), f.keys.roomId, ANA, 'Ana', false, Date.now()));
    for (let i = 0; i < 1_000; i++) await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: f.keys.roomId, from: ANA, body });
    expect(redraws).toBe(1);
    expect((await presence(f)).members!.find((m) => m.peer === ANA)!.nick).toBe('Ana');
  });

  // docs/protocol.md: a nickname first seen in this room under another key is flagged, for members
  // and typing names as for messages (identity-rules.ts rule 3).
  it('a fresh key saying here as a nickname another key spoke under first is flagged in the member list and the typing line', async () => {
    const f = await inRoom([ANA, BOB]);
    const alice = await identity();
    const id = newMessageId();
    const { plaintext } = await signOutgoing({ ...alice, fingerprint: (await fingerprint(alice.publicKey))! }, { claim: async (_r, _n, k) => k }, f.keys.roomId, id, { text: 'hi', nick: 'Alice', sentAt: 1 });
    const sealed = await sealMessage(f.keys, id, plaintext);
    if (!sealed.ok) throw new Error('seal');
    await handleRelayFrame(f.bg, f.link, { type: 'CHATMSG', room: f.keys.roomId, id, body: sealed.value, from: ANA, seq: 1, at: 2 });
    await from(f, ANA, await signedHere(alice, f.keys.roomId, ANA, 'Alice', false, Date.now()));
    const impostor = await identity();
    await from(f, BOB, await signedHere(impostor, f.keys.roomId, BOB, 'alice', false, Date.now()));
    await from(f, BOB, { v: 1, k: 'typing', peer: BOB, at: Date.now() });
    const { members, typing } = await presence(f);
    expect(members!.find((m) => m.peer === ANA)).toMatchObject({ nick: 'Alice', otherKey: false });
    expect(members!.find((m) => m.peer === BOB)).toMatchObject({ nick: 'alice', fingerprint: await fingerprint(impostor.publicKey), otherKey: true });
    expect(typing).toEqual([`alice ${OTHER_KEY_LABEL}`]);
  });
});
