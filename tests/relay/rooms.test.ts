import { describe, expect, it } from 'vitest';
import { PEER_ID_PATTERN } from '../../src/shared/constants.ts';
import { newRoomId } from './client.ts';
import { startTestRelay } from './relay.ts';

describe('rooms', () => {
  it('GETROOM creates an unknown room and joins it', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    alice.send({ type: 'GETROOM', room });
    const joined = await alice.next('ROOM');
    expect(joined).toEqual({ type: 'ROOM', room, peer: expect.stringMatching(PEER_ID_PATTERN), members: [], head: 0, epoch: expect.any(Number), created: true });
    expect(await alice.next('SYNCED')).toEqual({ type: 'SYNCED', room, head: 0 });
  });

  it('ENTERROOM joins a known room and answers WRONGROOM for an unknown one', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const bob = await relay.connect();
    const room = newRoomId();
    const aliceJoin = await alice.join(room);

    const unknown = newRoomId();
    bob.send({ type: 'ENTERROOM', room: unknown });
    expect(await bob.next('WRONGROOM')).toEqual({ type: 'WRONGROOM', room: unknown, reason: expect.any(String) });

    const bobJoin = await bob.join(room, undefined, 'ENTERROOM');
    expect(bobJoin).toMatchObject({ room, members: [aliceJoin.peer], created: false });
    expect(bobJoin.peer).not.toBe(aliceJoin.peer);
    expect(await alice.next('JOINED')).toEqual({ type: 'JOINED', room, peer: bobJoin.peer });
  });

  it('a room stays enterable after its last member leaves', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    alice.send({ type: 'LEAVE', room });
    await alice.barrier();
    const bob = await relay.connect();
    expect(await bob.join(room, undefined, 'ENTERROOM')).toMatchObject({ room, members: [], created: false });
  });

  it('tells members LEFT on LEAVE and on disconnect', async () => {
    const relay = await startTestRelay();
    const [alice, bob, carol] = await Promise.all([relay.connect(), relay.connect(), relay.connect()]);
    const room = newRoomId();
    await alice.join(room);
    const bobPeer = (await bob.join(room)).peer;
    const carolPeer = (await carol.join(room)).peer;

    bob.send({ type: 'LEAVE', room });
    expect(await alice.next('LEFT')).toEqual({ type: 'LEFT', room, peer: bobPeer });
    expect(await carol.next('LEFT')).toEqual({ type: 'LEFT', room, peer: bobPeer });

    carol.terminate();
    expect(await alice.next('LEFT')).toEqual({ type: 'LEFT', room, peer: carolPeer });
    bob.send({ type: 'CHATMSG', room, id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', body: 'abc' });
    expect(await bob.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'CHATMSG', room });
  });

  it('joining twice is idempotent: ROOM and replay again, no second JOINED', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    await alice.join(room);
    const first = await bob.join(room);
    await alice.next('JOINED');
    await alice.chat(room);
    await alice.chat(room);
    await bob.next('CHATMSG');
    await bob.next('CHATMSG');

    bob.send({ type: 'GETROOM', room, since: 1 });
    const again = await bob.next('ROOM');
    expect(again).toMatchObject({ peer: first.peer, head: 2, created: false });
    expect((await bob.next('CHATMSG')).seq).toBe(2);
    expect(await bob.next('SYNCED')).toEqual({ type: 'SYNCED', room, head: 2 });
    await alice.barrier();
    expect(alice.pending('JOINED')).toEqual([]);
  });

  it('LEAVE for a room the peer is not in is NOT_IN_ROOM', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    alice.send({ type: 'LEAVE', room });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'LEAVE', room });
  });
});
