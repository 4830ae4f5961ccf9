import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientFrame } from '../../src/shared/codec.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay } from './relay.ts';

// A hostile client against a real relay: every frame gets exactly the typed answer the shared codec
// predicts, the ERROR frames it provokes are themselves valid protocol (TestClient decodes every
// frame and fails on one that is not), and nothing the client adds reaches anyone else.

describe('hostile frames', () => {
  it('answers an unknown type full of control characters with an ERROR that clients can decode', async () => {
    const relay = await startTestRelay();
    const mallory = await relay.connect();
    const type = '\u0001'.repeat(100);
    mallory.send({ type });
    expect(await mallory.next('ERROR')).toMatchObject({ code: 'UNKNOWN_TYPE', ref: type });
    await mallory.barrier();
  });

  it('answers each hostile text frame with the error the codec predicts, in order', async () => {
    // Out of the rate limit's way: this test is about what each frame is answered with.
    const relay = await startTestRelay({ ratePerSec: 100_000, rateBurst: 100_000, rateKbPerSec: 1_000_000 });
    const mallory = await relay.connect();
    const maxChars = relay.config.maxFrameKb * 1024;
    const room = newRoomId();
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.record({ type: fc.constantFrom('GETROOM', 'CHATMSG', 'SIGNAL', 'PING', 'LEAVE'), room: fc.jsonValue({ maxDepth: 2 }), t: fc.jsonValue({ maxDepth: 1 }) })
        .map((frame) => JSON.stringify(frame)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((type) => JSON.stringify({ type, room })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 20 }), async (frames) => {
        const expected: string[] = [];
        for (const raw of frames) {
          const verdict = decodeClientFrame(raw, maxChars);
          // Valid-by-accident frames are not what this property is about.
          if (verdict.ok) continue;
          expected.push(verdict.error.code);
          mallory.sendRaw(raw);
        }
        const answered: string[] = [];
        for (let i = 0; i < expected.length; i++) answered.push((await mallory.next('ERROR')).code);
        expect(answered).toEqual(expected);
      }),
      { numRuns: 40 },
    );
    await mallory.barrier();
    expect(mallory.received.filter((frame) => frame.type !== 'ERROR' && frame.type !== 'PONG')).toEqual([]);
  });

  it('relays only the protocol fields of a CHATMSG padded with extra keys', async () => {
    const relay = await startTestRelay();
    const [alice, bob] = [await relay.connect(), await relay.connect()];
    const room = newRoomId();
    const { peer: aliceId } = await alice.join(room);
    await bob.join(room);
    const body = randomBody();
    alice.sendRaw(
      `{"type":"CHATMSG","room":"${room}","id":"01J00000000000000000000000","body":"${body}",` +
        `"__proto__":{"admin":true},"constructor":1,"from":"pAAAAAAAAAAAAAAAA","seq":-1,"at":0,"code":"INTERNAL"}`,
    );
    await alice.next('ACK');
    const delivered = await bob.next('CHATMSG');
    expect(Object.keys(delivered).sort()).toEqual(['at', 'body', 'from', 'id', 'room', 'seq', 'type']);
    expect(delivered).toMatchObject({ body, from: aliceId, seq: 1 });
  });
});
