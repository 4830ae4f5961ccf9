import { describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay } from './relay.ts';

describe('limits', () => {
  it('holds a burst over the rate in order, refuses what no longer fits with RATE_LIMITED, and recovers', async () => {
    const relay = await startTestRelay({ ratePerSec: 5, rateBurst: 3 });
    const alice = await relay.connect();
    for (let t = 0; t < 8; t++) alice.send({ type: 'PING', t });
    // Three pass at once, three wait their turn (the hold holds one burst), two are refused.
    for (let i = 0; i < 3; i++) expect(await alice.next('PONG')).toEqual({ type: 'PONG', t: i });
    for (let i = 0; i < 2; i++) expect(await alice.next('ERROR')).toMatchObject({ code: 'RATE_LIMITED' });
    for (let i = 3; i < 6; i++) expect(await alice.next('PONG')).toEqual({ type: 'PONG', t: i });
    alice.send({ type: 'PING', t: 99 });
    expect(await alice.nextOf(['PONG', 'ERROR'])).toEqual({ type: 'PONG', t: 99 });
    expect(alice.pending('ERROR')).toEqual([]);
  });

  it('limits bytes too: big frames over RATE_KB_PER_SEC wait their turn in order, or are refused', async () => {
    // Byte burst = max(8 KB/s, two 8 KB frames) = 16 KB; each frame is about 6.8 KB.
    const relay = await startTestRelay({ rateKbPerSec: 8, maxFrameKb: 8 });
    const alice = await relay.connect();
    const bob = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    const ids = Array.from({ length: 5 }, () => newMessageId());
    for (const id of ids) alice.send({ type: 'CHATMSG', room, id, body: randomBody(5000) });
    // Two fit the budget, two fit the hold, the fifth does not.
    expect(await alice.next('ACK')).toMatchObject({ id: ids[0] });
    expect(await alice.next('ACK')).toMatchObject({ id: ids[1] });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await alice.next('ACK')).toMatchObject({ id: ids[2] });
    expect(await alice.next('ACK')).toMatchObject({ id: ids[3] });
    for (const id of ids.slice(0, 4)) expect((await bob.next('CHATMSG')).id).toBe(id);
    alice.send({ type: 'PING', t: 1 });
    expect(await alice.nextOf(['PONG', 'ERROR'])).toMatchObject({ type: 'PONG', t: 1 });
    expect(bob.pending('CHATMSG')).toEqual([]);
  });

  it('charges every byte read, including a frame answered FRAME_TOO_LARGE', async () => {
    // docs/protocol.md: every byte read counts against the byte budget, a frame over MAX_FRAME_KB
    // (but within FRAME_HARD_CAP_KB) too; the hold for waiting frames is one byte burst.
    // Byte burst = max(16 KB/s, two 8 KB frames) = 16 KB.
    const relay = await startTestRelay({ maxFrameKb: 8, frameHardCapKb: 16, rateKbPerSec: 16 });
    const alice = await relay.connect();
    const pad = (kb: number) => 'x'.repeat(kb * 1024);
    alice.send({ type: 'PING', t: 0, pad: pad(12) } as never); // too large: answered, and 12 KB paid
    for (let t = 1; t <= 3; t++) alice.send({ type: 'PING', t, pad: pad(6) } as never);
    // 4 KB left: the first 6 KB ping waits, the second joins it in the hold, the third overflows it.
    expect(await alice.next('ERROR')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await alice.next('PONG')).toEqual({ type: 'PONG', t: 1 });
    expect(await alice.next('PONG')).toEqual({ type: 'PONG', t: 2 });
    await alice.barrier();
    expect(alice.pending('PONG')).toEqual([]);
    expect(alice.pending('ERROR')).toEqual([]);
  });

  it('counts frames held by the rate gate as life: a slowed client is not cut as idle', async () => {
    // Each connection could drain its hold in 0.5 s, but the address's budget (2 frames a second)
    // makes this hold take 2.5 s, longer than IDLE_TIMEOUT_MS.
    const relay = await startTestRelay({
      idleTimeoutMs: 1_000, ratePerSec: 10, rateBurst: 5, addressRatePerSec: 2, addressRateBurst: 5, maxFrameKb: 8,
    });
    const alice = await relay.connect();
    for (let t = 0; t < 10; t++) alice.send({ type: 'PING', t });
    for (let t = 0; t < 10; t++) expect(await alice.nextOf(['PONG', 'ERROR'])).toEqual({ type: 'PONG', t });
    // Silence after the last held frame was answered is idleness again.
    expect(await alice.next('ERROR')).toMatchObject({ code: 'IDLE_TIMEOUT' });
  });

  it('refuses more rooms than MAX_ROOMS_PER_CONNECTION with TOO_MANY_ROOMS', async () => {
    const relay = await startTestRelay({ maxRoomsPerConnection: 2 });
    const alice = await relay.connect();
    const rooms = [newRoomId(), newRoomId(), newRoomId()];
    await alice.join(rooms[0]!);
    await alice.join(rooms[1]!);
    alice.send({ type: 'GETROOM', room: rooms[2]! });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'TOO_MANY_ROOMS', ref: 'GETROOM', room: rooms[2] });
    await alice.join(rooms[0]!); // rejoining a room it is in is still fine

    // The refused GETROOM did not create the room.
    const bob = await relay.connect();
    bob.send({ type: 'ENTERROOM', room: rooms[2]! });
    expect(await bob.next('WRONGROOM')).toMatchObject({ room: rooms[2] });

    alice.send({ type: 'LEAVE', room: rooms[1]! });
    await alice.join(rooms[2]!);
  });

  it('refuses more members than MAX_MEMBERS_PER_ROOM with ROOM_FULL', async () => {
    const relay = await startTestRelay({ maxMembersPerRoom: 2 });
    const [alice, bob, carol] = await Promise.all([relay.connect(), relay.connect(), relay.connect()]);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    carol.send({ type: 'ENTERROOM', room });
    expect(await carol.next('ERROR')).toMatchObject({ code: 'ROOM_FULL', ref: 'ENTERROOM', room });
    await carol.barrier();
    expect(alice.pending('JOINED')).toHaveLength(1); // bob only
  });

  it('turns away connections over MAX_CONNECTIONS_PER_ADDRESS with 4029', async () => {
    const relay = await startTestRelay({ maxConnectionsPerAddress: 2 });
    const first = await relay.connect();
    const second = await relay.connect();
    const third = await relay.connect();
    expect(await third.next('ERROR')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect(await third.closed).toEqual({ code: 4029, reason: 'TOO_MANY_CONNECTIONS' });
    await first.barrier();
    await second.barrier();
  });

  it('denies web-page origins with 4003 and admits extensions and native clients', async () => {
    const relay = await startTestRelay();
    for (const origin of ['https://evil.example', 'http://localhost:8080', 'null']) {
      const page = await relay.connect({ origin });
      expect(await page.next('ERROR')).toMatchObject({ code: 'ORIGIN_DENIED' });
      expect(await page.closed).toEqual({ code: 4003, reason: 'ORIGIN_DENIED' });
    }
    for (const origin of ['chrome-extension://abcdefghijklmnop', 'moz-extension://1234-5678', undefined]) {
      const client = await relay.connect(origin === undefined ? {} : { origin });
      await client.barrier();
    }
  });

  it('applies ALLOWED_ORIGINS instead of the default policy', async () => {
    const relay = await startTestRelay({ allowedOrigins: ['https://app.example'] });
    await (await relay.connect({ origin: 'https://app.example' })).barrier();
    for (const options of [{}, { origin: 'chrome-extension://abc' }]) {
      const denied = await relay.connect(options);
      expect((await denied.closed).code).toBe(4003);
    }
  });

  it('closes a silent connection with IDLE_TIMEOUT 4008; any frame keeps it alive', async () => {
    const relay = await startTestRelay({ idleTimeoutMs: 1_000, ratePerSec: 100_000, rateBurst: 1_000, rateKbPerSec: 1_000_000, addressRatePerSec: 100_000 });
    const [silent, chatty] = await Promise.all([relay.connect(), relay.connect()]);
    let talking = true;
    const keepTalking = (async () => {
      while (talking) await chatty.barrier();
    })();
    expect(await silent.next('ERROR')).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect(await silent.closed).toEqual({ code: 4008, reason: 'IDLE_TIMEOUT' });
    talking = false;
    await keepTalking;
    await chatty.barrier();
  });

  it('cuts a reader that stops reading with SLOW_CONSUMER 4009, and the room carries on', async () => {
    const relay = await startTestRelay({
      maxBufferedKb: 512, ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000, addressStoredKbPerDay: 1 << 20,
    });
    const [sender, slow, healthy] = await Promise.all([relay.connect(), relay.connect(), relay.connect()]);
    const room = newRoomId();
    await sender.join(room);
    const slowPeer = (await slow.join(room)).peer;
    await healthy.join(room);
    slow.pauseReading();

    // Kernel buffers absorb a few megabytes first, so send until the relay gives up on the reader.
    const big = 'A'.repeat(MAX_BODY_CHARS);
    let left: Awaited<ReturnType<typeof sender.next<'LEFT'>>> | undefined;
    const leftFrame = sender.next('LEFT', 60_000).then((frame) => (left = frame));
    for (let i = 0; i < 1_000 && left === undefined; i++) {
      await sender.chat(room, big);
      await healthy.next('CHATMSG');
    }
    expect(await leftFrame).toEqual({ type: 'LEFT', room, peer: slowPeer });

    slow.resumeReading();
    expect(await slow.closed).toEqual({ code: 4009, reason: 'SLOW_CONSUMER' });
    await sender.chat(room);
    await healthy.next('CHATMSG');
  });

  it('closes every connection with SHUTTING_DOWN 4010 on close()', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    await alice.join(newRoomId());
    const closing = relay.close();
    expect(await alice.next('ERROR')).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(await alice.closed).toEqual({ code: 4010, reason: 'SHUTTING_DOWN' });
    await closing;
  });

  it('checks the id on CHATMSG before anything else is done with it', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    alice.send({ type: 'CHATMSG', room, id: newMessageId().toLowerCase(), body: 'abc' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'BAD_FRAME', ref: 'CHATMSG' });
    expect((await alice.chat(room)).seq).toBe(1);
  });
});
