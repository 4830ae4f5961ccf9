import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeRelayFrame, encodeFrame } from '../../src/shared/codec.ts';
import { DEFAULT_MAX_FRAME_KB } from '../../src/shared/constants.ts';
import { oracle as documentOracle } from '../../scripts/fuzz-oracle.ts';

// EPHEMERAL in both directions, from docs/protocol.md ("Frames", "Field formats", "Ephemeral
// broadcasts"): room as everywhere, body 1..2,048 base64url characters, from a peer id (relay → client).

const LIMIT = DEFAULT_MAX_FRAME_KB * 1024;
const ROOM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq';
const PEER = 'pGHJKMNPQRSTVWXYZ';
/** The document's bound on an EPHEMERAL body. */
const DOC_MAX = 2048;

const clientRows: [name: string, frame: Record<string, unknown>, accept: boolean][] = [
  ['a short body', { type: 'EPHEMERAL', room: ROOM, body: 'AAEC-_' }, true],
  [`a body of ${DOC_MAX}`, { type: 'EPHEMERAL', room: ROOM, body: 'A'.repeat(DOC_MAX) }, true],
  [`a body of ${DOC_MAX + 1}`, { type: 'EPHEMERAL', room: ROOM, body: 'A'.repeat(DOC_MAX + 1) }, false],
  ['an empty body', { type: 'EPHEMERAL', room: ROOM, body: '' }, false],
  ['a body outside base64url', { type: 'EPHEMERAL', room: ROOM, body: 'AA+/' }, false],
  ['a body that is a number', { type: 'EPHEMERAL', room: ROOM, body: 5 }, false],
  ['no body', { type: 'EPHEMERAL', room: ROOM }, false],
  ['no room', { type: 'EPHEMERAL', body: 'AAAA' }, false],
  ['a room of 42', { type: 'EPHEMERAL', room: ROOM.slice(1), body: 'AAAA' }, false],
];

describe('EPHEMERAL, client → relay', () => {
  for (const [name, frame, accept] of clientRows) {
    it(`${accept ? 'accepts' : 'refuses with BAD_FRAME'} ${name}, as the document's oracle does`, () => {
      const text = JSON.stringify(frame);
      const decoded = decodeClientFrame(text, LIMIT);
      const verdict = documentOracle(text, LIMIT);
      expect(decoded.ok).toBe(accept);
      expect(verdict.ok).toBe(accept);
      if (!decoded.ok) expect(decoded.error).toMatchObject({ code: 'BAD_FRAME', ref: 'EPHEMERAL' });
      if (!verdict.ok) expect(verdict).toMatchObject({ code: 'BAD_FRAME', ref: 'EPHEMERAL' });
    });
  }

  it('drops a from (or any other key) the sender puts in', () => {
    const decoded = decodeClientFrame(JSON.stringify({ type: 'EPHEMERAL', room: ROOM, body: 'AAAA', from: PEER, seq: 1 }), LIMIT);
    expect(decoded).toEqual({ ok: true, value: { type: 'EPHEMERAL', room: ROOM, body: 'AAAA' } });
  });
});

describe('EPHEMERAL, relay → client', () => {
  const frame = { type: 'EPHEMERAL' as const, room: ROOM, from: PEER, body: 'A'.repeat(DOC_MAX) };

  it('decodes what the relay encodes', () => {
    expect(decodeRelayFrame(encodeFrame(frame))).toEqual({ ok: true, value: frame });
  });

  it.each([
    ['no from', { ...frame, from: undefined }],
    ['a from that is not a peer id', { ...frame, from: 'alice' }],
    [`a body of ${DOC_MAX + 1}`, { ...frame, body: 'A'.repeat(DOC_MAX + 1) }],
    ['no room', { ...frame, room: undefined }],
  ])('refuses %s', (_name, bad) => {
    const decoded = decodeRelayFrame(JSON.stringify(bad));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatchObject({ code: 'BAD_FRAME', ref: 'EPHEMERAL' });
  });
});
