import { describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay } from './relay.ts';

describe('chat', () => {
  it('fans a message out to every other member, stamped by the relay, and acks the sender', async () => {
    const relay = await startTestRelay();
    const [alice, bob, carol] = await Promise.all([relay.connect(), relay.connect(), relay.connect()]);
    const room = newRoomId();
    const alicePeer = (await alice.join(room)).peer;
    await bob.join(room);
    await carol.join(room);

    const id = newMessageId();
    const body = randomBody();
    const before = Date.now();
    alice.send({ type: 'CHATMSG', room, id, body });
    const ack = await alice.next('ACK');
    expect(ack).toEqual({ type: 'ACK', room, id, seq: 1, at: expect.any(Number) });
    expect(ack.at).toBeGreaterThanOrEqual(before);
    for (const member of [bob, carol]) {
      expect(await member.next('CHATMSG')).toEqual({ type: 'CHATMSG', room, id, body, from: alicePeer, seq: 1, at: ack.at });
    }
    await alice.barrier();
    expect(alice.pending('CHATMSG')).toEqual([]);

    expect((await bob.chat(room)).seq).toBe(2);
    expect((await alice.next('CHATMSG')).seq).toBe(2);
  });

  it('ignores a sender claiming from, seq or at', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    const alicePeer = (await alice.join(room)).peer;
    const bobPeer = (await bob.join(room)).peer;
    const id = newMessageId();
    alice.send({ type: 'CHATMSG', room, id, body: 'abc', from: bobPeer, seq: 999, at: 1 });
    const delivered = await bob.next('CHATMSG');
    expect(delivered).toMatchObject({ from: alicePeer, seq: 1 });
    expect(delivered.at).toBeGreaterThan(1);
  });

  it('acks a duplicate id with the original seq and does not deliver it again', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    const id = newMessageId();
    const first = await alice.chat(room, 'first', id);
    await bob.next('CHATMSG');
    await alice.chat(room, 'other');
    await bob.next('CHATMSG');

    const again = await alice.chat(room, 'first', id);
    expect(again).toEqual(first);
    await bob.barrier();
    expect(bob.pending('CHATMSG')).toEqual([]);
    expect((await alice.chat(room)).seq).toBe(3);
  });

  it('keeps a separate seq per room', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const [one, two] = [newRoomId(), newRoomId()];
    await alice.join(one);
    await alice.join(two);
    expect((await alice.chat(one)).seq).toBe(1);
    expect((await alice.chat(one)).seq).toBe(2);
    expect((await alice.chat(two)).seq).toBe(1);
  });

  it('forwards SIGNAL to the named peer only, and NO_SUCH_PEER otherwise', async () => {
    const relay = await startTestRelay();
    const [alice, bob, carol] = await Promise.all([relay.connect(), relay.connect(), relay.connect()]);
    const room = newRoomId();
    const alicePeer = (await alice.join(room)).peer;
    const bobPeer = (await bob.join(room)).peer;
    await carol.join(room);

    alice.send({ type: 'SIGNAL', room, to: bobPeer, kind: 'offer', body: 'c2RwLW9mZmVy' });
    expect(await bob.next('SIGNAL')).toEqual({ type: 'SIGNAL', room, from: alicePeer, kind: 'offer', body: 'c2RwLW9mZmVy' });
    await carol.barrier();
    expect(carol.pending('SIGNAL')).toEqual([]);

    alice.send({ type: 'SIGNAL', room, to: 'p0000000000000000', kind: 'answer', body: 'eA' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NO_SUCH_PEER', ref: 'SIGNAL', room });

    const elsewhere = newRoomId();
    alice.send({ type: 'SIGNAL', room: elsewhere, to: bobPeer, kind: 'candidate', body: 'eA' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'SIGNAL', room: elsewhere });
  });

  it('answers PING with PONG carrying the same t', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    alice.send({ type: 'PING', t: 12345 });
    expect(await alice.next('PONG')).toEqual({ type: 'PONG', t: 12345 });
  });
});
