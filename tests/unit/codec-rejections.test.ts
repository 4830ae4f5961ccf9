import { describe, expect, it } from 'vitest';
import { decodeClientFrame } from '../../src/shared/codec.ts';
import { DEFAULT_MAX_FRAME_KB, MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import { oracle as documentOracle } from '../../scripts/fuzz-oracle.ts';

// Hand-written tables, one per field of every client frame, from docs/protocol.md ("Field
// formats" and the exact rules under it): each row says what the document says, not what the
// codec does. Rejections sit next to acceptances at the exact boundaries, so a codec that accepts
// too much fails here even though it round-trips its own output. The same rows are put to the
// fuzz's oracle (scripts/fuzz-oracle.ts), which must agree with the document too.
//
// Lengths the document states as numbers (43, 26, 17) are written as numbers; the tuned limits
// it names by constant (MAX_BODY_CHARS, MAX_FRAME_KB) are used through those constants.

const LIMIT = DEFAULT_MAX_FRAME_KB * 1024;
/** For field rules alone: no frame limit in the way of a long body. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ROOM = B64.slice(0, 43);
const ROOM_2 = B64.slice(21, 64);
const ID = (CROCKFORD + CROCKFORD).slice(0, 26);
const PEER = `p${CROCKFORD.slice(16)}`;
const BODY = 'AAECAwQFBgc-_';

/** A value written into the frame's JSON text as is: for numbers whose spelling matters. */
interface Raw { raw: string }
const raw = (text: string): Raw => ({ raw: text });
const ABSENT = Symbol('absent');
type Value = unknown;

const BASE: Record<string, Record<string, Value>> = {
  GETROOM: { type: 'GETROOM', room: ROOM, since: 5 },
  ENTERROOM: { type: 'ENTERROOM', room: ROOM, since: 5 },
  LEAVE: { type: 'LEAVE', room: ROOM },
  CHATMSG: { type: 'CHATMSG', room: ROOM, id: ID, body: BODY },
  SIGNAL: { type: 'SIGNAL', room: ROOM, to: PEER, kind: 'offer', body: BODY },
  PING: { type: 'PING', t: 1 },
};
const TYPES = Object.keys(BASE);

const isRaw = (value: Value): value is Raw => typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 1;
const encodeValue = (value: Value): string => (isRaw(value) ? value.raw : JSON.stringify(value));

/** The frame `type` with `field` set to `value` (or left out), as JSON text. */
function frameText(type: string, field: string, value: Value | typeof ABSENT): string {
  const entries = Object.entries({ ...BASE[type], [field]: value }).filter(([, v]) => v !== ABSENT);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${encodeValue(v)}`).join(',')}}`;
}

type Row = [label: string, value: Value | typeof ABSENT, verdict: 'accept' | 'reject'];

const WRONG_JSON_TYPES = (sample: Value): Row[] => [
  ['null', null, 'reject'],
  ['true', true, 'reject'],
  ['an array holding a good value', [sample], 'reject'],
  ['an object', { value: sample }, 'reject'],
];
const STRING_FIELD_WRONG_TYPES: Row[] = [['a number', 43, 'reject'], ['zero', 0, 'reject']];
const NUMBER_FIELD_WRONG_TYPES: Row[] = [['a numeric string', '5', 'reject'], ['an empty string', '', 'reject']];

const ROWS: Record<string, { frames: string[]; rows: Row[] }> = {
  room: {
    frames: ['GETROOM', 'ENTERROOM', 'LEAVE', 'CHATMSG', 'SIGNAL'],
    rows: [
      ['43 base64url characters', ROOM, 'accept'],
      ['43 others, with - and _', ROOM_2, 'accept'],
      ['43 times A', 'A'.repeat(43), 'accept'],
      ['42 characters (one short)', ROOM.slice(0, 42), 'reject'],
      ['44 characters (one over)', `${ROOM}A`, 'reject'],
      ['empty', '', 'reject'],
      ['one character', 'A', 'reject'],
      ['86 characters', ROOM + ROOM, 'reject'],
      ['42 and = padding', `${ROOM.slice(0, 42)}=`, 'reject'],
      ['43 and = padding', `${ROOM}=`, 'reject'],
      ['+ (base64, not base64url)', `${ROOM.slice(0, 42)}+`, 'reject'],
      ['/ (base64, not base64url)', `/${ROOM.slice(1)}`, 'reject'],
      ['a dot', `${ROOM.slice(0, 20)}.${ROOM.slice(21)}`, 'reject'],
      ['a space', ` ${ROOM.slice(1)}`, 'reject'],
      ['a trailing newline', `${ROOM.slice(0, 42)}\n`, 'reject'],
      ['a NUL', `${ROOM.slice(0, 42)}\u0000`, 'reject'],
      ['a non-ASCII letter', `${ROOM.slice(0, 42)}é`, 'reject'],
      ['a fullwidth A', `${ROOM.slice(0, 42)}\uff21`, 'reject'],
      ['absent', ABSENT, 'reject'],
      ...STRING_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES(ROOM),
    ],
  },
  id: {
    frames: ['CHATMSG'],
    rows: [
      ['26 Crockford symbols', ID, 'accept'],
      ['26 zeros', '0'.repeat(26), 'accept'],
      ['26 times Z', 'Z'.repeat(26), 'accept'],
      ['25 symbols (one short)', ID.slice(0, 25), 'reject'],
      ['27 symbols (one over)', `${ID}0`, 'reject'],
      ['empty', '', 'reject'],
      ['lower case', ID.toLowerCase(), 'reject'],
      ['one lower-case letter', `${ID.slice(0, 25)}z`, 'reject'],
      ['an I', `${ID.slice(0, 25)}I`, 'reject'],
      ['an L', `L${ID.slice(1)}`, 'reject'],
      ['an O', `${ID.slice(0, 12)}O${ID.slice(13)}`, 'reject'],
      ['a U', `${ID.slice(0, 25)}U`, 'reject'],
      ['a hyphen', `${ID.slice(0, 25)}-`, 'reject'],
      ['a space', ` ${ID.slice(1)}`, 'reject'],
      ['a trailing newline', `${ID.slice(0, 25)}\n`, 'reject'],
      ['absent', ABSENT, 'reject'],
      ...STRING_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES(ID),
    ],
  },
  body: {
    frames: ['CHATMSG', 'SIGNAL'],
    rows: [
      ['one character', 'A', 'accept'],
      ['the whole base64url alphabet', B64, 'accept'],
      ['MAX_BODY_CHARS characters', 'A'.repeat(MAX_BODY_CHARS), 'accept'],
      ['MAX_BODY_CHARS + 1 characters', 'A'.repeat(MAX_BODY_CHARS + 1), 'reject'],
      ['empty', '', 'reject'],
      ['= padding', 'AAAA=', 'reject'],
      ['==', 'AA==', 'reject'],
      ['+', 'AA+A', 'reject'],
      ['/', 'AA/A', 'reject'],
      ['a space', 'AA A', 'reject'],
      ['a newline', 'AA\nA', 'reject'],
      ['a dot', 'AA.A', 'reject'],
      ['a non-ASCII letter', 'AAé', 'reject'],
      ['absent', ABSENT, 'reject'],
      ...STRING_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES(BODY),
    ],
  },
  kind: {
    frames: ['SIGNAL'],
    rows: [
      ['offer', 'offer', 'accept'],
      ['answer', 'answer', 'accept'],
      ['candidate', 'candidate', 'accept'],
      ['Offer', 'Offer', 'reject'],
      ['ANSWER', 'ANSWER', 'reject'],
      ['a trailing space', 'offer ', 'reject'],
      ['a leading space', ' offer', 'reject'],
      ['candidates', 'candidates', 'reject'],
      ['pranswer (WebRTC, not the protocol)', 'pranswer', 'reject'],
      ['rollback', 'rollback', 'reject'],
      ['empty', '', 'reject'],
      ['absent', ABSENT, 'reject'],
      ...STRING_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES('offer'),
    ],
  },
  to: {
    frames: ['SIGNAL'],
    rows: [
      ['p and 16 symbols', PEER, 'accept'],
      ['p and 16 zeros', `p${'0'.repeat(16)}`, 'accept'],
      ['p and 16 times Z', `p${'Z'.repeat(16)}`, 'accept'],
      ['p and 15 symbols (one short)', PEER.slice(0, 16), 'reject'],
      ['p and 17 symbols (one over)', `${PEER}0`, 'reject'],
      ['16 symbols without p', PEER.slice(1), 'reject'],
      ['P in upper case', `P${PEER.slice(1)}`, 'reject'],
      ['lower-case symbols', `p${PEER.slice(1).toLowerCase()}`, 'reject'],
      ['an I', `${PEER.slice(0, 16)}I`, 'reject'],
      ['an L', `${PEER.slice(0, 16)}L`, 'reject'],
      ['an O', `${PEER.slice(0, 16)}O`, 'reject'],
      ['a U', `${PEER.slice(0, 16)}U`, 'reject'],
      ['a leading space', ` ${PEER.slice(1)}`, 'reject'],
      ['a trailing newline', `${PEER.slice(0, 16)}\n`, 'reject'],
      ['empty', '', 'reject'],
      ['absent', ABSENT, 'reject'],
      ...STRING_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES(PEER),
    ],
  },
  since: {
    frames: ['GETROOM', 'ENTERROOM'],
    rows: [
      ['absent', ABSENT, 'accept'],
      ['0', 0, 'accept'],
      ['1', 1, 'accept'],
      ['2^53 - 1', raw('9007199254740991'), 'accept'],
      ['1.0', raw('1.0'), 'accept'],
      ['1e2', raw('1e2'), 'accept'],
      ['-0', raw('-0'), 'accept'],
      ['-1', -1, 'reject'],
      ['0.5', 0.5, 'reject'],
      ['1.5', 1.5, 'reject'],
      ['-0.5', -0.5, 'reject'],
      ['2^53', raw('9007199254740992'), 'reject'],
      ['2^53 + 1', raw('9007199254740993'), 'reject'],
      ['1e21', raw('1e21'), 'reject'],
      ['1e400 (too large for a double)', raw('1e400'), 'reject'],
      ['-1e400', raw('-1e400'), 'reject'],
      ...NUMBER_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES(5),
    ],
  },
  t: {
    frames: ['PING'],
    rows: [
      ['0', 0, 'accept'],
      ['2^53 - 1', raw('9007199254740991'), 'accept'],
      ['1e2', raw('1e2'), 'accept'],
      ['-0', raw('-0'), 'accept'],
      ['absent', ABSENT, 'reject'],
      ['-1', -1, 'reject'],
      ['0.5', 0.5, 'reject'],
      ['2^53', raw('9007199254740992'), 'reject'],
      ['1e400', raw('1e400'), 'reject'],
      ...NUMBER_FIELD_WRONG_TYPES,
      ...WRONG_JSON_TYPES(1),
    ],
  },
};

/** What the document says about one frame text: accepted, or the error code and ref. */
type Verdict = { ok: true } | { ok: false; code: string; ref?: string };

function codecVerdict(text: string, maxChars: number): Verdict {
  const result = decodeClientFrame(text, maxChars);
  return result.ok ? { ok: true } : { ok: false, code: result.error.code, ...(result.error.ref === undefined ? {} : { ref: result.error.ref }) };
}

function oracle(text: string, maxChars: number): Verdict {
  const verdict = documentOracle(text, maxChars);
  return verdict.ok ? { ok: true } : { ok: false, code: verdict.code, ...(verdict.ref === undefined ? {} : { ref: verdict.ref }) };
}

for (const [field, { frames, rows }] of Object.entries(ROWS)) {
  describe(`client field ${field}, from docs/protocol.md`, () => {
    for (const type of frames) {
      const cases = rows.map(([label, value, verdict]) => ({ label, value, verdict, text: frameText(type, field, value) }));
      it.each(cases)(`${type}.${field}: $label → $verdict`, ({ value, verdict, text }) => {
        const expected: Verdict = verdict === 'accept' ? { ok: true } : { ok: false, code: 'BAD_FRAME', ref: type };
        expect(codecVerdict(text, NO_LIMIT)).toEqual(expected);
        expect(oracle(text, NO_LIMIT), 'the fuzz oracle').toEqual(expected);
        if (verdict !== 'accept') return;
        // An accepted frame carries the value as the document reads it, and nothing else.
        const decoded = decodeClientFrame(text, NO_LIMIT);
        if (!decoded.ok) return;
        const out = decoded.value as unknown as Record<string, unknown>;
        const want = value === ABSENT ? undefined : isRaw(value) ? (JSON.parse(value.raw) as unknown) : value;
        if (typeof want === 'number') expect(out[field] === want).toBe(true);
        else expect(out[field]).toEqual(want);
        expect(field in out).toBe(value !== ABSENT);
      });
    }
  });
}

describe('whole client frames, from docs/protocol.md', () => {
  const good = frameText('PING', 't', 1);
  const padTo = (text: string, length: number) => text.slice(0, -1) + ' '.repeat(length - text.length) + '}';
  const cases: [label: string, text: string, expected: Verdict][] = [
    // Size comes first, before parsing.
    ['exactly MAX_FRAME_KB × 1024 characters', padTo(good, LIMIT), { ok: true }],
    ['one character over MAX_FRAME_KB × 1024', padTo(good, LIMIT + 1), { ok: false, code: 'FRAME_TOO_LARGE' }],
    ['non-JSON one character over the limit', 'x'.repeat(LIMIT + 1), { ok: false, code: 'FRAME_TOO_LARGE' }],
    ['a full-size CHATMSG at the default limit', frameText('CHATMSG', 'body', 'A'.repeat(MAX_BODY_CHARS)), { ok: true }],
    // Not a JSON object: BAD_FRAME without ref.
    ['empty text', '', { ok: false, code: 'BAD_FRAME' }],
    ['not JSON', 'PING', { ok: false, code: 'BAD_FRAME' }],
    ['truncated JSON', good.slice(0, -1), { ok: false, code: 'BAD_FRAME' }],
    ['trailing garbage', `${good}x`, { ok: false, code: 'BAD_FRAME' }],
    ['two objects', `${good}${good}`, { ok: false, code: 'BAD_FRAME' }],
    ['null', 'null', { ok: false, code: 'BAD_FRAME' }],
    ['a number', '42', { ok: false, code: 'BAD_FRAME' }],
    ['a string', '"PING"', { ok: false, code: 'BAD_FRAME' }],
    ['true', 'true', { ok: false, code: 'BAD_FRAME' }],
    ['an array holding a frame', `[${good}]`, { ok: false, code: 'BAD_FRAME' }],
    // No string type: BAD_FRAME without ref.
    ['an empty object', '{}', { ok: false, code: 'BAD_FRAME' }],
    ['type absent', '{"t":1}', { ok: false, code: 'BAD_FRAME' }],
    ['type a number', '{"type":5,"t":1}', { ok: false, code: 'BAD_FRAME' }],
    ['type null', '{"type":null,"t":1}', { ok: false, code: 'BAD_FRAME' }],
    ['type in an array', '{"type":["PING"],"t":1}', { ok: false, code: 'BAD_FRAME' }],
    ['Type with a capital', '{"Type":"PING","t":1}', { ok: false, code: 'BAD_FRAME' }],
    // A string that is not a client type: UNKNOWN_TYPE with the type as ref.
    ...['ping', 'PING ', ' PING', 'PONG', 'ROOM', 'ACK', 'ERROR', 'JOINED', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']
      .map((type): [string, string, Verdict] => [`type ${JSON.stringify(type)}`, `{"type":${JSON.stringify(type)},"t":1}`, { ok: false, code: 'UNKNOWN_TYPE', ref: type }]),
    ['a 150-character type: ref is its first 100', `{"type":"${'X'.repeat(150)}"}`, { ok: false, code: 'UNKNOWN_TYPE', ref: 'X'.repeat(100) }],
    // Other keys are ignored; a repeated key counts with its last value.
    ['from, seq and at on a CHATMSG', `${frameText('CHATMSG', 'body', BODY).slice(0, -1)},"from":"${PEER}","seq":1,"at":0}`, { ok: true }],
    ['a __proto__ key', `${good.slice(0, -1)},"__proto__":{"type":"GETROOM"}}`, { ok: true }],
    ['t given twice, the last good', '{"type":"PING","t":-1,"t":1}', { ok: true }],
    ['t given twice, the last bad', '{"type":"PING","t":1,"t":-1}', { ok: false, code: 'BAD_FRAME', ref: 'PING' }],
    ['room given twice, the last 44 characters', `{"type":"LEAVE","room":"${ROOM}","room":"${ROOM}A"}`, { ok: false, code: 'BAD_FRAME', ref: 'LEAVE' }],
    ['type given twice: a CHATMSG that ends as a PING without t', `${frameText('CHATMSG', 'body', BODY).slice(0, -1)},"type":"PING"}`, { ok: false, code: 'BAD_FRAME', ref: 'PING' }],
    ['type given twice: the last one unknown', '{"type":"PING","t":1,"type":"PONG"}', { ok: false, code: 'UNKNOWN_TYPE', ref: 'PONG' }],
    // Each type's base frame is accepted, so every rejection above is the field's doing.
    ...TYPES.map((type): [string, string, Verdict] => [`the base ${type}`, JSON.stringify(BASE[type]), { ok: true }]),
  ];

  it.each(cases.map(([label, text, expected]) => ({ label, text, expected })))('$label', ({ text, expected }) => {
    expect(codecVerdict(text, LIMIT)).toEqual(expected);
    expect(oracle(text, LIMIT), 'the fuzz oracle').toEqual(expected);
  });

  it('drops the keys it ignores: an accepted frame holds only its own fields', () => {
    const text = `${frameText('CHATMSG', 'body', BODY).slice(0, -1)},"from":"${PEER}","seq":1,"at":0,"__proto__":{"x":1}}`;
    const decoded = decodeClientFrame(text, LIMIT);
    expect(decoded).toStrictEqual({ ok: true, value: { type: 'CHATMSG', room: ROOM, id: ID, body: BODY } });
  });
});
