// What the relay's codec must answer for a client frame, written from docs/protocol.md ("Field
// formats" and the exact rules under it) and nothing else: no import of the codec or its schemas.
// The fuzz (scripts/fuzz-relay.ts) predicts the relay's answers with it, and the codec's unit tests
// hold the codec and this oracle to the same hand-written tables, so a codec that accepts more (or
// less) than the document says is caught even when it agrees with itself.
//
// The only things taken from the code are the size limits the document names by constant
// (MAX_BODY_CHARS, MAX_EPHEMERAL_BODY_CHARS, and MAX_FRAME_KB as the caller's `maxChars`), because their values are tuned.
import { MAX_BODY_CHARS, MAX_EPHEMERAL_BODY_CHARS } from '../src/shared/constants.ts';

export type OracleVerdict =
  | { ok: true; frame: { type: string } & Record<string, unknown> }
  | { ok: false; code: 'FRAME_TOO_LARGE' | 'BAD_FRAME' | 'UNKNOWN_TYPE'; ref?: string };

/** base64url, no padding: `A`–`Z`, `a`–`z`, `0`–`9`, `-`, `_`. */
const isBase64Url = (s: string): boolean => /^[A-Za-z0-9_-]*$/.test(s);
/** Crockford base32 in upper case: `0`–`9`, `A`–`Z` without I, L, O, U. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const isCrockford = (s: string): boolean => [...s].every((c) => c.length === 1 && CROCKFORD.includes(c));

type FieldRule = (value: unknown) => boolean;
const str = (rule: (s: string) => boolean): FieldRule => (value) => typeof value === 'string' && rule(value);

const FIELD_RULES = {
  room: str((s) => s.length === 43 && isBase64Url(s)),
  id: str((s) => s.length === 26 && isCrockford(s)),
  body: str((s) => s.length >= 1 && s.length <= MAX_BODY_CHARS && isBase64Url(s)),
  kind: str((s) => s === 'offer' || s === 'answer' || s === 'candidate'),
  to: str((s) => s.length === 17 && s[0] === 'p' && isCrockford(s.slice(1))),
  since: (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 53 - 1,
} satisfies Record<string, FieldRule>;
type Field = keyof typeof FIELD_RULES | 't';
/** An EPHEMERAL's body has the same alphabet as a message's, and a bound of its own. */
const EPHEMERAL_BODY: FieldRule = str((s) => s.length >= 1 && s.length <= MAX_EPHEMERAL_BODY_CHARS && isBase64Url(s));
const ruleOf = (field: Field, type: string): FieldRule =>
  type === 'EPHEMERAL' && field === 'body' ? EPHEMERAL_BODY : FIELD_RULES[field === 't' ? 'since' : field];

/** Each client frame's fields; `?` marks the one that may be absent. */
const FRAMES: Record<string, readonly `${Field}${'' | '?'}`[]> = {
  GETROOM: ['room', 'since?'],
  ENTERROOM: ['room', 'since?'],
  LEAVE: ['room'],
  CHATMSG: ['room', 'id', 'body'],
  SIGNAL: ['room', 'to', 'kind', 'body'],
  PING: ['t'],
  EPHEMERAL: ['room', 'body'],
};

export const CLIENT_FRAME_TYPES = Object.keys(FRAMES);

export function oracle(text: string, maxChars: number): OracleVerdict {
  if (text.length > maxChars) return { ok: false, code: 'FRAME_TOO_LARGE' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, code: 'BAD_FRAME' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, code: 'BAD_FRAME' };
  const fields = new Map(Object.entries(data));
  const type = fields.get('type');
  if (typeof type !== 'string') return { ok: false, code: 'BAD_FRAME' };
  const spec = Object.hasOwn(FRAMES, type) ? FRAMES[type] : undefined;
  if (spec === undefined) return { ok: false, code: 'UNKNOWN_TYPE', ref: type.slice(0, 100) };
  const frame: { type: string } & Record<string, unknown> = { type };
  for (const entry of spec) {
    const optional = entry.endsWith('?');
    const field = (optional ? entry.slice(0, -1) : entry) as Field;
    if (!fields.has(field)) {
      if (optional) continue;
      return { ok: false, code: 'BAD_FRAME', ref: type };
    }
    const value = fields.get(field);
    if (!ruleOf(field, type)(value)) return { ok: false, code: 'BAD_FRAME', ref: type };
    frame[field] = value;
  }
  return { ok: true, frame };
}
