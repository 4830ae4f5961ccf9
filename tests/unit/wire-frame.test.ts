import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wireFrame } from '../../relay/wire-frame.ts';

// Fan-out frames a message once and writes those bytes to every member's stream, bypassing ws's
// send: the bytes must be exactly what ws itself would have written for that text message
// (RFC 6455: one final, unmasked text frame), at every payload-length encoding.
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};
const wsFraming = (payload: Buffer): Buffer =>
  Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, rsv1: false, readOnly: false }));

describe('wireFrame', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])('frames a %i-byte text payload as ws does', (length) => {
    const payload = Buffer.alloc(length, 'a');
    const frame = wireFrame(payload);
    expect(frame.payload).toBe(payload);
    expect(frame.wire.equals(wsFraming(payload))).toBe(true);
  });
});
