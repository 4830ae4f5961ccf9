import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay } from './relay.ts';

// docs/protocol.md, "Chat messages, acks and dedup": a connection's frames are handled one at a
// time in the order sent; an ACK means the message is stored (committed); messages arriving
// together are committed together and reach every other member once each, in seq order.
describe('frame order and group commit', () => {
  it('handles frames sent at once in order, each to its end: join, chats, leave, then a chat outside the room', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    await bob.join(room);

    const ids = Array.from({ length: 5 }, () => newMessageId());
    alice.send({ type: 'GETROOM', room });
    for (const id of ids) alice.send({ type: 'CHATMSG', room, id, body: randomBody() });
    alice.send({ type: 'LEAVE', room });
    alice.send({ type: 'CHATMSG', room, id: newMessageId(), body: randomBody() });

    expect(await alice.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'CHATMSG', room });
    const acks = alice.received.filter((frame) => frame.type === 'ACK');
    expect(acks.map((ack) => [ack.id, ack.seq])).toEqual(ids.map((id, i) => [id, i + 1]));
    expect(alice.received.map((frame) => frame.type).filter((type) => type !== 'ACK')).toEqual(['ROOM', 'SYNCED', 'ERROR']);

    expect(await bob.next('JOINED')).toMatchObject({ room });
    for (let seq = 1; seq <= 5; seq++) expect(await bob.next('CHATMSG')).toMatchObject({ seq, id: ids[seq - 1] });
    expect(await bob.next('LEFT')).toMatchObject({ room });
  });

  it('gives messages sent together distinct seqs and every other member each once, in seq order', async () => {
    const relay = await startTestRelay();
    const members = await Promise.all(Array.from({ length: 8 }, () => relay.connect()));
    const room = newRoomId();
    for (const member of members) await member.join(room);

    const ids = members.map(() => newMessageId());
    members.forEach((member, i) => member.send({ type: 'CHATMSG', room, id: ids[i]!, body: randomBody() }));
    const acks = await Promise.all(members.map((member) => member.next('ACK')));
    expect(acks.map((ack) => ack.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    for (const [i, member] of members.entries()) {
      await member.barrier();
      const seqs = member.received.flatMap((frame) => (frame.type === 'CHATMSG' ? [frame.seq] : []));
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8].filter((seq) => seq !== acks[i]!.seq));
    }
  });

  it('acks a message only when it is in the history file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-ack-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const historyPath = join(dir, 'relay.sqlite');
    const relay = await startTestRelay({ historyPath });
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    // Another connection to the file sees only committed transactions.
    const reader = new Database(historyPath, { readonly: true });
    onTestFinished(() => {
      reader.close();
    });
    const stored = reader.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE id = ?');

    for (const sender of [alice, bob, alice]) {
      const id = newMessageId();
      sender.send({ type: 'CHATMSG', room, id, body: randomBody() });
      await sender.next('ACK');
      expect(stored.get(id)?.n).toBe(1);
    }
  });
});

describe('live messages after a join with an old since', () => {
  it('delivers live messages to a member that joined with since beyond the head (a relay that lost the room)', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    // docs/protocol.md, "Joining, replay and live traffic": since larger than head is the lost-room case.
    expect((await alice.join(room, 50)).head).toBe(0);
    await bob.join(room);
    for (let seq = 1; seq <= 2; seq++) {
      expect((await bob.chat(room)).seq).toBe(seq);
      expect(await alice.next('CHATMSG')).toMatchObject({ room, seq });
    }
  });
});
