import { describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId } from './client.ts';
import { startTestRelay } from './relay.ts';

// Each bad frame gets its typed ERROR, and the same connection then still works (barrier = PING/PONG).
describe('frame-level errors', () => {
  it.each([
    ['not JSON', '{"type":', { code: 'BAD_FRAME' }],
    ['a JSON array', '[1,2]', { code: 'BAD_FRAME' }],
    ['no type', '{"room":"x"}', { code: 'BAD_FRAME' }],
    ['an unknown type', '{"type":"HELLO"}', { code: 'UNKNOWN_TYPE', ref: 'HELLO' }],
    ['a wrongly typed field', '{"type":"GETROOM","room":42}', { code: 'BAD_FRAME', ref: 'GETROOM' }],
    ['a negative since', JSON.stringify({ type: 'GETROOM', room: newRoomId(), since: -1 }), { code: 'BAD_FRAME', ref: 'GETROOM' }],
    ['a body that is not base64url', JSON.stringify({ type: 'CHATMSG', room: newRoomId(), id: newMessageId(), body: '<b>' }), { code: 'BAD_FRAME', ref: 'CHATMSG' }],
    ['a bad signal kind', JSON.stringify({ type: 'SIGNAL', room: newRoomId(), to: 'p0000000000000000', kind: 'hello', body: 'eA' }), { code: 'BAD_FRAME', ref: 'SIGNAL' }],
  ])('answers %s with its code and lives on', async (_name, raw, expected) => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    alice.sendRaw(raw);
    expect(await alice.next('ERROR')).toMatchObject({ ...expected, message: expect.any(String) });
    await alice.barrier();
  });

  it('answers a binary frame with BINARY_FRAME', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    alice.sendRaw(Buffer.from(JSON.stringify({ type: 'PING', t: 1 })), true);
    expect(await alice.next('ERROR')).toMatchObject({ code: 'BINARY_FRAME' });
    await alice.barrier();
  });

  it('answers a frame over MAX_FRAME_KB with FRAME_TOO_LARGE and lives on', async () => {
    const relay = await startTestRelay({ maxFrameKb: 1, frameHardCapKb: 4 });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    alice.send({ type: 'CHATMSG', room, id: newMessageId(), body: 'A'.repeat(1100) });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await alice.barrier();
  });

  it('closes with 1009 beyond the hard cap (FRAME_HARD_CAP_KB)', async () => {
    const relay = await startTestRelay({ maxFrameKb: 1, frameHardCapKb: 2 });
    const alice = await relay.connect();
    alice.sendRaw('A'.repeat(2 * 1024 + 1));
    expect((await alice.closed).code).toBe(1009);
  });

  it('answers CHATMSG to a room the peer is not in with NOT_IN_ROOM', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    alice.send({ type: 'CHATMSG', room, id: newMessageId(), body: 'abc' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'CHATMSG', room });
    await alice.barrier();
  });

  it('survives a burst of mixed garbage and still relays chat', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    const garbage = ['', 'null', '1', '"x"', '{}', '{"type":null}', '{"type":"__proto__"}', '{"type":"constructor"}', '\u0000', '{"type":"PING","t":1e400}'];
    for (const raw of garbage) alice.sendRaw(raw);
    for (const _ of garbage) expect((await alice.next('ERROR')).code).toMatch(/^(BAD_FRAME|UNKNOWN_TYPE)$/);
    await alice.chat(room);
    expect(await bob.next('CHATMSG')).toMatchObject({ seq: 1 });
  });
});
