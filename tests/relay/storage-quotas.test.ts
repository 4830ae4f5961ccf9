import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId, TestClient } from './client.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

// Every expected number comes from docs/protocol.md, "Storage quotas": a message's stored size is
// its body's length plus 64 bytes; the limits are in KB of 1024 bytes.
const OVERHEAD = 64;
const KB = 1024;
/** A body whose stored size is exactly 16 KB, so four of them fill 64 KB to the byte. */
const SIXTEEN_KB_BODY = 'A'.repeat(16 * KB - OVERHEAD);

async function metrics(relay: TestRelay): Promise<(name: string) => number> {
  const text = await (await fetch(relay.httpUrl('/metrics'))).text();
  return (name) => Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'))?.[1]);
}

/** The seqs (and GAPs) a fresh member is replayed, as "GAP a-b" and numbers. */
async function replayed(client: TestClient, room: string): Promise<string[]> {
  client.send({ type: 'ENTERROOM', room });
  await client.next('ROOM');
  const seen: string[] = [];
  for (;;) {
    const frame = await client.nextOf(['GAP', 'CHATMSG', 'SYNCED']);
    if (frame.type === 'SYNCED') return seen;
    seen.push(frame.type === 'GAP' ? `GAP ${frame.from}-${frame.to}` : String(frame.seq));
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-quota-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('storage quotas', () => {
  it('trims a room over ROOM_MAX_STORED_KB oldest first, keeping the new message, and says GAP', async () => {
    const relay = await startTestRelay({ roomMaxStoredKb: 64 });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    for (let i = 1; i <= 4; i++) expect((await alice.chat(room, SIXTEEN_KB_BODY)).seq).toBe(i);
    let sample = await metrics(relay);
    expect(sample('parley_relay_stored_bytes')).toBe(64 * KB);

    expect((await alice.chat(room, SIXTEEN_KB_BODY)).seq).toBe(5);
    expect(await replayed(await relay.connect(), room)).toEqual(['GAP 1-1', '2', '3', '4', '5']);
    sample = await metrics(relay);
    expect(sample('parley_relay_stored_bytes')).toBe(64 * KB);
    expect(sample('parley_relay_stored_messages')).toBe(4);
  });

  it('trims the oldest message of any room when the store is over STORE_MAX_KB', async () => {
    const relay = await startTestRelay({ roomMaxStoredKb: 64, storeMaxKb: 128 });
    const alice = await relay.connect();
    const [first, second, third] = [newRoomId(), newRoomId(), newRoomId()];
    for (const [room, count] of [[first, 3], [second, 3], [third, 2]] as const) {
      await alice.join(room);
      for (let i = 0; i < count; i++) await alice.chat(room, SIXTEEN_KB_BODY);
    }
    expect((await metrics(relay))('parley_relay_stored_bytes')).toBe(128 * KB);

    // The third room is within its own cap; the store is not, and the first room holds the oldest.
    expect((await alice.chat(third, SIXTEEN_KB_BODY)).seq).toBe(3);
    const bob = await relay.connect();
    expect(await replayed(bob, first)).toEqual(['GAP 1-1', '2', '3']);
    expect(await replayed(bob, second)).toEqual(['1', '2', '3']);
    expect(await replayed(bob, third)).toEqual(['1', '2', '3']);
    const sample = await metrics(relay);
    expect(sample('parley_relay_stored_bytes')).toBe(128 * KB);
    expect(sample('parley_relay_stored_messages')).toBe(8);
  });

  it('refuses CHATMSG over ADDRESS_STORED_KB_PER_DAY with DAILY_QUOTA, also after reconnecting', async () => {
    const relay = await startTestRelay({ addressStoredKbPerDay: 64 });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push(await alice.chat(room, SIXTEEN_KB_BODY));

    const listener = await relay.connect();
    await listener.join(room);
    const refusedId = newMessageId();
    alice.send({ type: 'CHATMSG', room, id: refusedId, body: 'A' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'DAILY_QUOTA', ref: 'CHATMSG', room, id: refusedId });
    // A resend of a stored message costs nothing and is acked as before, so outboxes still drain.
    expect(await alice.chat(room, SIXTEEN_KB_BODY, acks[0]!.id)).toEqual(acks[0]);

    // A new connection from the same address, into a new room, is the same address.
    alice.terminate();
    const again = await relay.connect();
    const other = newRoomId();
    await again.join(other);
    again.send({ type: 'CHATMSG', room: other, id: newMessageId(), body: 'A' });
    expect(await again.next('ERROR')).toMatchObject({ code: 'DAILY_QUOTA', room: other });

    // The listener got the four stored messages as replay, and nothing refused.
    await listener.barrier();
    expect(listener.pending('CHATMSG').map((frame) => frame.type === 'CHATMSG' && frame.seq)).toEqual([1, 2, 3, 4]);
    const sample = await metrics(relay);
    expect(sample('parley_relay_stored_messages')).toBe(4);
    expect(sample('parley_relay_errors_total{code="DAILY_QUOTA"}')).toBe(2);
  });

  it('never forgets the quota of an address that stays connected, however many others store something', async () => {
    // docs/protocol.md, "Storage quotas": when the table of QUOTA_MAX_ADDRESSES is full, the address
    // charged least recently that has no connection open is forgotten. The smallest table allowed
    // is MAX_CONNECTIONS + MAX_HANDSHAKES.
    const relay = await startTestRelay({ addressStoredKbPerDay: 64, maxConnections: 3, maxHandshakes: 2, maxHandshakesPerAddress: 2, quotaMaxAddresses: 5 });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    for (let i = 0; i < 4; i++) await alice.chat(room, SIXTEEN_KB_BODY);
    // Five other addresses, one after another, each store one message: alice is the stalest key.
    for (let n = 2; n <= 6; n++) {
      const other = await relay.connect({ localAddress: `127.0.0.${n}` });
      await other.join(room);
      await other.chat(room, 'A');
      other.terminate();
      await other.closed;
    }
    // Before the fix the table forgot alice, and her quota started afresh.
    alice.send({ type: 'CHATMSG', room, id: newMessageId(), body: 'A' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'DAILY_QUOTA' });
    expect((await metrics(relay))('parley_relay_quota_addresses{quota="bytes"}')).toBe(5);
  });

  it('keeps at most MAX_STORED_ROOMS rooms, forgetting the least recently active room without members, empty ones first', async () => {
    // docs/protocol.md, "Retention and storage".
    const relay = await startTestRelay({ maxStoredRooms: 2 });
    const alice = await relay.connect();
    const [empty, withHistory, live, newest] = [newRoomId(), newRoomId(), newRoomId(), newRoomId()];
    await alice.join(empty);
    await alice.join(withHistory);
    await alice.chat(withHistory);
    for (const room of [empty, withHistory]) alice.send({ type: 'LEAVE', room });
    await alice.barrier();
    const known = async (room: string): Promise<boolean> => {
      const probe = await relay.connect({ localAddress: '127.0.0.2' });
      probe.send({ type: 'ENTERROOM', room });
      const answer = await probe.nextOf(['ROOM', 'WRONGROOM']);
      // Out of the room again before the next step, so the probe makes no room live.
      if (answer.type === 'ROOM') probe.send({ type: 'LEAVE', room });
      await probe.barrier();
      probe.terminate();
      return answer.type === 'ROOM';
    };
    // Before the fix every room row stayed (empty ones for HISTORY_MAX_AGE_MS), uncounted.
    await alice.join(live);
    expect(await known(empty)).toBe(false);
    expect(await known(withHistory)).toBe(true);
    // No empty room without members is left: the one with history goes; the live one stays.
    await alice.join(newest);
    expect(await known(withHistory)).toBe(false);
    expect(await known(live)).toBe(true);
    expect((await metrics(relay))('parley_relay_stored_rooms')).toBe(2);
  });

  it('counts each address on its own', async () => {
    // Both loopback families, so two addresses exist without leaving the machine.
    const relay = await startTestRelay({ host: '::', addressStoredKbPerDay: 64 });
    const v4 = await TestClient.connect(`ws://127.0.0.1:${relay.port}`);
    const v6 = await TestClient.connect(`ws://[::1]:${relay.port}`);
    const room = newRoomId();
    await v4.join(room);
    await v6.join(room);
    for (let i = 0; i < 4; i++) await v4.chat(room, SIXTEEN_KB_BODY);
    v4.send({ type: 'CHATMSG', room, id: newMessageId(), body: 'A' });
    expect(await v4.next('ERROR')).toMatchObject({ code: 'DAILY_QUOTA' });
    for (let i = 0; i < 4; i++) await v6.chat(room, SIXTEEN_KB_BODY);
    expect((await metrics(relay))('parley_relay_quota_addresses{quota="bytes"}')).toBe(2);
  });

  it('refuses a GETROOM that would create a room beyond ADDRESS_ROOMS_PER_HOUR, also after reconnecting', async () => {
    const relay = await startTestRelay({ addressRoomsPerHour: 3 });
    const alice = await relay.connect();
    const rooms = [newRoomId(), newRoomId(), newRoomId()];
    for (const room of rooms) expect((await alice.join(room)).created).toBe(true);

    const fourth = newRoomId();
    alice.send({ type: 'GETROOM', room: fourth });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'TOO_MANY_NEW_ROOMS', ref: 'GETROOM', room: fourth });

    // Reconnecting does not refill it; joining rooms that exist is unaffected, by GETROOM too.
    alice.terminate();
    const again = await relay.connect();
    again.send({ type: 'GETROOM', room: fourth });
    expect(await again.next('ERROR')).toMatchObject({ code: 'TOO_MANY_NEW_ROOMS', room: fourth });
    for (const room of rooms) expect((await again.join(room)).created).toBe(false);

    // The refused room was not created.
    const bob = await relay.connect();
    bob.send({ type: 'ENTERROOM', room: fourth });
    expect(await bob.next('WRONGROOM')).toMatchObject({ room: fourth });
    expect((await metrics(relay))('parley_relay_stored_rooms')).toBe(3);
  });

  it('does not charge a GETROOM that another limit refused', async () => {
    const relay = await startTestRelay({ addressRoomsPerHour: 2, maxRoomsPerConnection: 1 });
    const alice = await relay.connect();
    await alice.join(newRoomId());
    const refused = newRoomId();
    alice.send({ type: 'GETROOM', room: refused });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'TOO_MANY_ROOMS', room: refused });
    const bob = await relay.connect();
    expect((await bob.join(newRoomId())).created).toBe(true);
  });

  it('keeps byte and message totals right after trims and a restart, and /metrics reports them', async () => {
    const historyPath = join(tempDir(), 'relay.sqlite');
    const room = newRoomId();
    const small = 'B'.repeat(100); // stored size 164

    const first = await startTestRelay({ historyPath, roomMaxStoredKb: 64 });
    const alice = await first.connect();
    await alice.join(room);
    for (let i = 0; i < 5; i++) await alice.chat(room, SIXTEEN_KB_BODY); // the first is trimmed
    await alice.chat(room, small); // 64 KB + 164 bytes: the second is trimmed too
    const before = await metrics(first);
    const expectedBytes = 3 * 16 * KB + 164;
    expect(before('parley_relay_stored_bytes')).toBe(expectedBytes);
    expect(before('parley_relay_stored_messages')).toBe(4);
    await first.close();

    const second = await startTestRelay({ historyPath, roomMaxStoredKb: 64 });
    const after = await metrics(second);
    expect(after('parley_relay_stored_bytes')).toBe(expectedBytes);
    expect(after('parley_relay_stored_messages')).toBe(4);
    expect(after('parley_relay_stored_rooms')).toBe(1);
    const bob = await second.connect();
    expect(await replayed(bob, room)).toEqual(['GAP 1-2', '3', '4', '5', '6']);
    await second.close();

    // A lowered cap applies from startup, and the totals follow.
    const third = await startTestRelay({ historyPath, roomMaxStoredKb: 48 });
    const lowered = await metrics(third);
    expect(lowered('parley_relay_stored_bytes')).toBe(2 * 16 * KB + 164);
    expect(lowered('parley_relay_stored_messages')).toBe(3);
  });
});
