import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeRelayFrame, encodeFrame, type CodecError } from '../../src/shared/codec.ts';
import { BASE32_ALPHABET, DEFAULT_MAX_FRAME_KB, MAX_BODY_CHARS, MAX_EPHEMERAL_BODY_CHARS, MESSAGE_ID_LENGTH, ROOM_ID_LENGTH } from '../../src/shared/constants.ts';
import { ERROR_CODES, type ClientToRelay, type ErrorCode, type RelayToClient } from '../../src/shared/protocol.ts';
import type { Result } from '../../src/shared/result.ts';
import { oracle } from '../../scripts/fuzz-oracle.ts';

// Properties of the shared codec: the relay's first line of defence against hostile clients, and
// the extension's against a hostile relay. Whatever arrives, decoding returns a typed Result, never
// throws, and never lets a key through that the protocol does not define.

const MAX_CHARS = DEFAULT_MAX_FRAME_KB * 1024;
const CODEC_CODES: readonly CodecError['code'][] = ['BAD_FRAME', 'UNKNOWN_TYPE', 'FRAME_TOO_LARGE'];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RUNS = { numRuns: 300 };

const CLIENT_KEYS: Record<ClientToRelay['type'], readonly string[]> = {
  GETROOM: ['type', 'room', 'since'],
  ENTERROOM: ['type', 'room', 'since'],
  LEAVE: ['type', 'room'],
  CHATMSG: ['type', 'room', 'id', 'body'],
  SIGNAL: ['type', 'room', 'to', 'kind', 'body'],
  PING: ['type', 't'],
  EPHEMERAL: ['type', 'room', 'body'],
};
const RELAY_KEYS: Record<RelayToClient['type'], readonly string[]> = {
  ROOM: ['type', 'room', 'peer', 'members', 'head', 'epoch', 'created'],
  WRONGROOM: ['type', 'room', 'reason'],
  CHATMSG: ['type', 'room', 'id', 'body', 'from', 'seq', 'at'],
  ACK: ['type', 'room', 'id', 'seq', 'at'],
  GAP: ['type', 'room', 'from', 'to'],
  SYNCED: ['type', 'room', 'head'],
  JOINED: ['type', 'room', 'peer'],
  LEFT: ['type', 'room', 'peer'],
  SIGNAL: ['type', 'room', 'from', 'kind', 'body'],
  PONG: ['type', 't'],
  EPHEMERAL: ['type', 'room', 'from', 'body'],
  ERROR: ['type', 'code', 'message', 'ref', 'room', 'id'],
};

// ---- arbitraries for well-formed fields ------------------------------------------------------

const charsOf = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const roomId = charsOf(BASE64URL, ROOM_ID_LENGTH, ROOM_ID_LENGTH);
const messageId = charsOf(BASE32_ALPHABET, MESSAGE_ID_LENGTH, MESSAGE_ID_LENGTH);
const peerId = charsOf(BASE32_ALPHABET, 16, 16).map((symbols) => `p${symbols}`);
// Mostly short bodies, sometimes exactly the largest one allowed.
const body = fc.oneof(
  { weight: 20, arbitrary: charsOf(BASE64URL, 1, 200) },
  { weight: 1, arbitrary: fc.constant('A'.repeat(MAX_BODY_CHARS)) },
);
const ephemeralBody = fc.oneof(
  { weight: 20, arbitrary: charsOf(BASE64URL, 1, 200) },
  { weight: 1, arbitrary: fc.constant('A'.repeat(MAX_EPHEMERAL_BODY_CHARS)) },
);
const seq = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const signalKind = fc.constantFrom('offer' as const, 'answer' as const, 'candidate' as const);
const errorCode = fc.constantFrom(...(Object.keys(ERROR_CODES) as ErrorCode[]));

// fc.record makes null-prototype objects; frames in real code are plain object literals.
const plain = <T extends object>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T> => arbitrary.map((value) => ({ ...value }));

const clientFrame: fc.Arbitrary<ClientToRelay> = plain(fc.oneof(
  fc.record({ type: fc.constant('GETROOM' as const), room: roomId, since: seq }, { requiredKeys: ['type', 'room'] }),
  fc.record({ type: fc.constant('ENTERROOM' as const), room: roomId, since: seq }, { requiredKeys: ['type', 'room'] }),
  fc.record({ type: fc.constant('LEAVE' as const), room: roomId }),
  fc.record({ type: fc.constant('CHATMSG' as const), room: roomId, id: messageId, body }),
  fc.record({ type: fc.constant('SIGNAL' as const), room: roomId, to: peerId, kind: signalKind, body }),
  fc.record({ type: fc.constant('PING' as const), t: seq }),
  fc.record({ type: fc.constant('EPHEMERAL' as const), room: roomId, body: ephemeralBody }),
));

const relayFrame: fc.Arbitrary<RelayToClient> = plain(fc.oneof(
  fc.record({
    type: fc.constant('ROOM' as const), room: roomId, peer: peerId, members: fc.array(peerId, { maxLength: 5 }),
    head: seq, epoch: seq, created: fc.boolean(),
  }),
  fc.record({ type: fc.constant('WRONGROOM' as const), room: roomId, reason: fc.string({ maxLength: 500 }) }),
  fc.record({
    type: fc.constant('CHATMSG' as const), room: roomId, id: messageId, body, from: peerId, seq, at: seq,
  }),
  fc.record({ type: fc.constant('ACK' as const), room: roomId, id: messageId, seq, at: seq }),
  fc.record({ type: fc.constant('GAP' as const), room: roomId, from: seq, to: seq }),
  fc.record({ type: fc.constant('SYNCED' as const), room: roomId, head: seq }),
  fc.record({ type: fc.constant('JOINED' as const), room: roomId, peer: peerId }),
  fc.record({ type: fc.constant('LEFT' as const), room: roomId, peer: peerId }),
  fc.record({ type: fc.constant('SIGNAL' as const), room: roomId, from: peerId, kind: signalKind, body }),
  fc.record({ type: fc.constant('PONG' as const), t: seq }),
  fc.record({ type: fc.constant('EPHEMERAL' as const), room: roomId, from: peerId, body: ephemeralBody }),
  fc.record(
    {
      type: fc.constant('ERROR' as const), code: errorCode, message: fc.string({ maxLength: 500 }),
      ref: fc.string({ maxLength: 100 }), room: roomId, id: messageId,
    },
    { requiredKeys: ['type', 'code', 'message'] },
  ),
));

// ---- arbitraries for hostile input -----------------------------------------------------------

/** Any JSON value, including ones far from a frame; text as a parser sees it. */
const anyJsonText = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value));

/** Odd strings: any UTF-16 (lone surrogates too), and near-JSON made of JSON's own punctuation. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', 'u', '0', 'e', '-', ' ', 'type'), maxLength: 80 }),
);

/** Values a field might be replaced with: wrong types, huge numbers, deep nesting, near misses. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 1.5, 2 ** 53, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, '', 'offer ', 'A'.repeat(43) + '=', null, true),
  fc.integer({ min: 1, max: 50 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
  charsOf(BASE64URL, 42, 44),
  charsOf(BASE32_ALPHABET + 'ILOU', 25, 27),
);

/** A key that a frame might carry besides its own, including ones with meaning elsewhere. */
const extraKey = fc.oneof(
  fc.constantFrom('from', 'seq', 'at', 'peer', 'head', 'code', '__proto__', 'constructor', 'toString', 'prototype'),
  fc.string({ maxLength: 20 }),
);

/** Adds a key to encoded JSON text, so `__proto__` and duplicate keys arrive as a parser sees them. */
const withKey = (text: string, key: string, value: unknown): string =>
  `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`;

type Mutation =
  | { kind: 'drop'; index: number }
  | { kind: 'replace'; index: number; value: unknown }
  | { kind: 'add'; key: string; value: unknown }
  | { kind: 'retype'; type: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), index: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('add' as const), key: extraKey, value: hostileValue }),
  fc.record({
    kind: fc.constant('retype' as const),
    type: fc.oneof(
      fc.constantFrom('GETROOM', 'ENTERROOM', 'LEAVE', 'CHATMSG', 'SIGNAL', 'PING', 'ROOM', 'ACK', 'ERROR', 'getroom', '__proto__', 'hasOwnProperty'),
      fc.string({ maxLength: 200 }),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }) }),
);

function mutate(frame: ClientToRelay | RelayToClient, change: Mutation): string {
  const text = encodeFrame(frame);
  const entries = Object.entries(frame);
  const rebuild = (kept: [string, unknown][]) => `{${kept.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
  switch (change.kind) {
    case 'drop':
      return rebuild(entries.filter((_, i) => i !== change.index % entries.length));
    case 'replace':
      return rebuild(entries.map(([k, v], i) => [k, i === change.index % entries.length ? change.value : v]));
    case 'add':
      return withKey(text, change.key, change.value);
    case 'retype':
      return rebuild(entries.map(([k, v]) => [k, k === 'type' ? change.type : v]));
    case 'truncate':
      return text.slice(0, change.at % text.length);
    case 'insert': {
      const at = change.at % (text.length + 1);
      return text.slice(0, at) + change.text + text.slice(at);
    }
  }
}

// ---- checks shared by the properties ---------------------------------------------------------

/** A decode result is well-typed: a frame with only its schema's keys, or one of the codec's errors. */
function expectWellFormed(result: Result<ClientToRelay | RelayToClient, CodecError>, keys: Record<string, readonly string[]>): void {
  if (result.ok) {
    const allowed = keys[result.value.type];
    expect(allowed).toBeDefined();
    for (const key of Object.keys(result.value)) expect(allowed).toContain(key);
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    return;
  }
  const { code, message, ref } = result.error;
  expect(CODEC_CODES).toContain(code);
  expect(typeof message).toBe('string');
  if (ref !== undefined) expect(typeof ref).toBe('string');
  if (code === 'UNKNOWN_TYPE') expect(ref).toBeDefined();
}

/**
 * The relay answers a bad client frame with an ERROR built from the codec's error, and the
 * extension decodes that ERROR with the same codec: it must pass, or a hostile client could make
 * the relay send frames that other clients reject.
 */
function expectRelayable(error: CodecError): void {
  const frame: RelayToClient = { type: 'ERROR', code: error.code, message: error.message, ...(error.ref === undefined ? {} : { ref: error.ref }) };
  const decoded = decodeRelayFrame(encodeFrame(frame));
  expect(decoded.ok ? 'ok' : decoded.error.message).toBe('ok');
}

function decodeClient(raw: string): Result<ClientToRelay, CodecError> {
  const result = decodeClientFrame(raw, MAX_CHARS);
  expectWellFormed(result, CLIENT_KEYS);
  if (!result.ok) expectRelayable(result.error);
  return result;
}

function decodeRelay(raw: string): Result<RelayToClient, CodecError> {
  const result = decodeRelayFrame(raw);
  expectWellFormed(result, RELAY_KEYS);
  return result;
}

// ---- properties ------------------------------------------------------------------------------

describe('codec properties: client frames', () => {
  it('round-trips every valid client frame unchanged', () => {
    fc.assert(
      fc.property(clientFrame, (frame) => {
        const decoded = decodeClient(encodeFrame(frame));
        expect(decoded).toStrictEqual({ ok: true, value: frame });
      }),
      RUNS,
    );
  });

  it('strips every key the protocol does not define, and keeps the frame otherwise intact', () => {
    fc.assert(
      fc.property(clientFrame, fc.array(fc.tuple(extraKey, hostileValue), { minLength: 1, maxLength: 4 }), (frame, extras) => {
        const foreign = extras.filter(([key]) => !CLIENT_KEYS[frame.type].includes(key));
        const text = foreign.reduce((acc, [key, value]) => withKey(acc, key, value), encodeFrame(frame));
        expect(decodeClient(text)).toStrictEqual({ ok: true, value: frame });
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(anyText, (raw) => void decodeClient(raw)), { numRuns: 2000 });
  });

  it('never throws on arbitrary JSON values, and rejects anything but an object with a string type', () => {
    fc.assert(
      fc.property(anyJsonText, (raw) => {
        const result = decodeClient(raw);
        const value: unknown = JSON.parse(raw);
        const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
        if (!isObject || typeof (value as { type?: unknown }).type !== 'string') {
          expect(result.ok ? null : result.error.code).toBe('BAD_FRAME');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated valid frames; a mutation that survives still decodes to a valid frame', () => {
    fc.assert(
      fc.property(clientFrame, fc.array(mutation, { minLength: 1, maxLength: 3 }), (frame, changes) => {
        let raw = encodeFrame(frame);
        for (const change of changes) {
          const parsed = decodeClientFrame(raw, MAX_CHARS);
          raw = mutate(parsed.ok ? parsed.value : frame, change);
        }
        const result = decodeClient(raw);
        // Whatever got through must itself be a frame that round-trips.
        if (result.ok) expect(decodeClient(encodeFrame(result.value))).toStrictEqual(result);
      }),
      { numRuns: 2000 },
    );
  });

  // The properties above only check that the codec is consistent with itself. This one holds it to
  // docs/protocol.md: an oracle written from the document (scripts/fuzz-oracle.ts) must give the
  // same verdict, code and ref for every hostile input, so a rule loosened in the codec is caught.
  it('gives the verdict the document gives, on arbitrary text, JSON and mutated frames', () => {
    const mutated = fc.tuple(clientFrame, mutation).map(([frame, change]) => mutate(frame, change));
    fc.assert(
      fc.property(fc.oneof(anyText, anyJsonText, mutated, mutated), (raw) => {
        const result = decodeClientFrame(raw, MAX_CHARS);
        const expected = oracle(raw, MAX_CHARS);
        const verdict = (r: { ok: boolean; code?: string; ref?: string }) => (r.ok ? 'accepted' : `${r.code} ${r.ref ?? '-'}`);
        expect(verdict(result.ok ? result : { ok: false, ...result.error })).toBe(verdict(expected));
        if (result.ok && expected.ok) expect(result.value).toEqual(expected.frame);
      }),
      { numRuns: 3000 },
    );
  });

  // Control characters grow sixfold when JSON-escaped: the message quoting the type must still fit
  // the ERROR frame's 500 characters.
  const unknownType = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '"', '\\', '\ud800'), minLength: 80, maxLength: 120 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'ROOM', 'ACK', 'PONG'),
  );

  it('names an unknown type in ref, and never confuses it with a prototype property', () => {
    fc.assert(
      fc.property(unknownType, (type) => {
        fc.pre(!(type in CLIENT_KEYS));
        const result = decodeClient(JSON.stringify({ type, room: 'x' }));
        expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE', ref: type.slice(0, 100) } });
      }),
      RUNS,
    );
  });

  it('answers FRAME_TOO_LARGE for any text over the limit, before parsing it', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, clientFrame.map(encodeFrame)), fc.nat(120), (raw, limit) => {
        const result = decodeClientFrame(raw, limit);
        if (raw.length > limit) expect(result).toMatchObject({ ok: false, error: { code: 'FRAME_TOO_LARGE' } });
        else expectWellFormed(result, CLIENT_KEYS);
      }),
      RUNS,
    );
  });
});

describe('codec properties: relay frames', () => {
  it('round-trips every valid relay frame unchanged', () => {
    fc.assert(
      fc.property(relayFrame, (frame) => {
        expect(decodeRelay(encodeFrame(frame))).toStrictEqual({ ok: true, value: frame });
      }),
      RUNS,
    );
  });

  it('strips every key the protocol does not define', () => {
    fc.assert(
      fc.property(relayFrame, fc.array(fc.tuple(extraKey, hostileValue), { minLength: 1, maxLength: 4 }), (frame, extras) => {
        const foreign = extras.filter(([key]) => !RELAY_KEYS[frame.type].includes(key));
        const text = foreign.reduce((acc, [key, value]) => withKey(acc, key, value), encodeFrame(frame));
        expect(decodeRelay(text)).toStrictEqual({ ok: true, value: frame });
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary strings, JSON values or mutated frames', () => {
    fc.assert(fc.property(anyText, (raw) => void decodeRelay(raw)), { numRuns: 1000 });
    fc.assert(fc.property(anyJsonText, (raw) => void decodeRelay(raw)), { numRuns: 1000 });
    fc.assert(
      fc.property(relayFrame, fc.array(mutation, { minLength: 1, maxLength: 3 }), (frame, changes) => {
        let raw = encodeFrame(frame);
        for (const change of changes) {
          const parsed = decodeRelayFrame(raw);
          raw = mutate(parsed.ok ? parsed.value : frame, change);
        }
        const result = decodeRelay(raw);
        if (result.ok) expect(decodeRelay(encodeFrame(result.value))).toStrictEqual(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a client frame type as a relay frame unless the relay also sends that type', () => {
    fc.assert(
      fc.property(clientFrame, (frame) => {
        const result = decodeRelay(encodeFrame(frame));
        // CHATMSG and SIGNAL exist both ways, but the relay's versions carry fields a client never sets.
        expect(result.ok).toBe(false);
      }),
      RUNS,
    );
  });
});
