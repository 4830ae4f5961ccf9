import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import { newRoomId, type TestClient } from './client.ts';
import { startTestRelay } from './relay.ts';

async function sendMessages(client: TestClient, room: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await client.chat(room)).id);
  return ids;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-relay-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('history', () => {
  it('replays the whole retained history in order on join, then SYNCED', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    const alicePeer = (await alice.join(room)).peer;
    const ids = await sendMessages(alice, room, 5);

    const bob = await relay.connect();
    bob.send({ type: 'ENTERROOM', room });
    expect(await bob.next('ROOM')).toMatchObject({ head: 5, members: [alicePeer] });
    const replayed = await Promise.all(ids.map(() => bob.next('CHATMSG')));
    expect(replayed.map((frame) => [frame.seq, frame.id, frame.from])).toEqual(ids.map((id, i) => [i + 1, id, alicePeer]));
    expect(await bob.next('SYNCED')).toEqual({ type: 'SYNCED', room, head: 5 });
    expect(bob.pending('GAP')).toEqual([]);
  });

  it('replays only seq > since', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    await sendMessages(alice, room, 5);
    const bob = await relay.connect();
    bob.send({ type: 'GETROOM', room, since: 3 });
    await bob.next('ROOM');
    expect((await bob.next('CHATMSG')).seq).toBe(4);
    expect((await bob.next('CHATMSG')).seq).toBe(5);
    expect(await bob.next('SYNCED')).toMatchObject({ head: 5 });
    expect(bob.pending('CHATMSG')).toEqual([]);
  });

  it('sends GAP for messages dropped by retention, before the retained ones', async () => {
    const relay = await startTestRelay({ historyMaxCount: 3 });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    await sendMessages(alice, room, 7);

    const bob = await relay.connect();
    bob.send({ type: 'GETROOM', room, since: 1 });
    await bob.next('ROOM');
    const order: string[] = [];
    for (;;) {
      const frame = await bob.nextOf(['GAP', 'CHATMSG', 'SYNCED']);
      order.push(frame.type === 'GAP' ? `GAP ${frame.from}-${frame.to}` : frame.type === 'CHATMSG' ? `${frame.seq}` : 'SYNCED');
      if (frame.type === 'SYNCED') break;
    }
    expect(order).toEqual(['GAP 2-4', '5', '6', '7', 'SYNCED']);

    // Nothing is missing when `since` is inside the retained range.
    const carol = await relay.connect();
    carol.send({ type: 'GETROOM', room, since: 5 });
    await carol.next('SYNCED');
    expect(carol.pending('GAP')).toEqual([]);
    expect(carol.pending('CHATMSG').length).toBe(2);
  });

  it('keeps replay and live messages in seq order when they overlap', async () => {
    const relay = await startTestRelay({ maxBufferedKb: 512, ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000 });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    const body = 'A'.repeat(MAX_BODY_CHARS);
    for (let i = 0; i < 30; i++) await alice.chat(room, body);

    const bob = await relay.connect();
    bob.send({ type: 'GETROOM', room });
    await bob.next('ROOM');
    // Live messages while the 1.4 MB replay is still draining (the buffer allows 512 KB).
    for (let i = 0; i < 10; i++) await alice.chat(room);
    await bob.next('SYNCED', 20_000);
    await alice.chat(room);
    const seqs: number[] = [];
    for (let i = 0; i < 41; i++) seqs.push((await bob.next('CHATMSG')).seq);
    expect(seqs).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });

  it('keeps rooms, seqs, history and dedup across a restart with the same HISTORY_PATH', async () => {
    const historyPath = join(tempDir(), 'nested', 'relay.sqlite');
    const room = newRoomId();

    const first = await startTestRelay({ historyPath });
    const alice = await first.connect();
    await alice.join(room);
    const ids = await sendMessages(alice, room, 3);
    await first.close();

    const second = await startTestRelay({ historyPath });
    const bob = await second.connect();
    bob.send({ type: 'ENTERROOM', room, since: 1 });
    expect(await bob.next('ROOM')).toMatchObject({ head: 3, members: [], created: false });
    expect((await bob.next('CHATMSG')).id).toBe(ids[1]);
    expect((await bob.next('CHATMSG')).id).toBe(ids[2]);
    await bob.next('SYNCED');

    expect((await bob.chat(room)).seq).toBe(4);
    const resent = await bob.chat(room, 'whatever', ids[0]);
    expect(resent.seq).toBe(1);
  });

  it('never reuses a seq after retention trimmed everything, even across a restart', async () => {
    const historyPath = join(tempDir(), 'relay.sqlite');
    const room = newRoomId();
    const first = await startTestRelay({ historyPath, historyMaxCount: 2 });
    const alice = await first.connect();
    await alice.join(room);
    await sendMessages(alice, room, 5);
    await first.close();

    const second = await startTestRelay({ historyPath, historyMaxCount: 1 });
    const bob = await second.connect();
    bob.send({ type: 'ENTERROOM', room });
    await bob.next('ROOM');
    expect(await bob.next('GAP')).toEqual({ type: 'GAP', room, from: 1, to: 4 });
    expect((await bob.next('CHATMSG')).seq).toBe(5);
    await bob.next('SYNCED');
    expect((await bob.chat(room)).seq).toBe(6);
  });
});
