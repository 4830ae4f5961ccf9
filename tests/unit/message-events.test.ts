// The rules for sealed message events, as docs/protocol.md "What a sealed body holds" states them:
// each case below names the rule it checks, and its expected line is written from the doc.
import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/background/db.ts';
import { applyEvent, replyRef, withoutQuoteOf, type MessageEvent } from '../../src/background/message-events.ts';
import type { SenderCheck } from '../../src/shared/view-messages.ts';

const ANA = 'A'.repeat(43);
const BOB = 'B'.repeat(43);
const ME = 'M'.repeat(43);
const signed = (key: string): SenderCheck => ({ verified: true, key, fingerprint: 'XXXX-XXXX', safetyCode: null, otherKey: false });

const TARGET = '01J0000000000000000000000T';
let n = 0;
/** Event ids sort by creation, like message ids: later calls, larger ids. */
const eventId = () => `01J${String(++n).padStart(23, '0')}`;

function line(over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    roomId: 'R', id: TARGET, kind: 'message', seq: 1, order: 1, mine: false, nick: 'Ana', text: 'hello',
    sentAt: 1000, status: 'received', sender: signed(ANA), ...over,
  };
}
function ev(over: Partial<MessageEvent>): MessageEvent {
  return { id: eventId(), kind: 'edit', target: TARGET, text: '', nick: 'Ana', sentAt: 2000, sender: signed(ANA), ...over };
}
/** Applies events in order, each to the result of the last (null: unchanged). */
function run(start: MessageRecord, events: MessageEvent[]): MessageRecord {
  return events.reduce((l, e) => applyEvent(l, e, ME) ?? l, start);
}

describe('edit and delete (rules 3 to 5)', () => {
  it('an edit by the author sets the text and editedAt', () => {
    const e = ev({ kind: 'edit', text: 'hello, world', sentAt: 2500 });
    expect(applyEvent(line(), e, ME)).toMatchObject({ text: 'hello, world', editedAt: 2500 });
  });

  it('an edit or delete signed by another key, or unsigned, is ignored', () => {
    expect(applyEvent(line(), ev({ kind: 'edit', text: 'forged', nick: 'Ana', sender: signed(BOB) }), ME)).toBeNull();
    expect(applyEvent(line(), ev({ kind: 'delete', sender: signed(BOB) }), ME)).toBeNull();
    expect(applyEvent(line(), ev({ kind: 'edit', text: 'forged', sender: { verified: false } }), ME)).toBeNull();
    expect(applyEvent(line(), ev({ kind: 'delete', sender: { verified: false } }), ME)).toBeNull();
  });

  it('an unverified line cannot be edited, not even by a key that signs', () => {
    expect(applyEvent(line({ sender: { verified: false } }), ev({ kind: 'edit', text: 'x' }), ME)).toBeNull();
  });

  it('the newest edit wins whatever the arrival order, and the same edit twice changes nothing', () => {
    const older = ev({ kind: 'edit', text: 'first', sentAt: 2000 });
    const newer = ev({ kind: 'edit', text: 'second', sentAt: 3000 });
    expect(run(line(), [older, newer])).toMatchObject({ text: 'second', editedAt: 3000 });
    expect(run(line(), [newer, older])).toMatchObject({ text: 'second', editedAt: 3000 });
    const once = run(line(), [newer]);
    expect(applyEvent(once, newer, ME)).toBeNull();
  });

  it('equal clocks: the larger event id wins', () => {
    const a = ev({ kind: 'edit', text: 'a', sentAt: 2000 });
    const b = ev({ kind: 'edit', text: 'b', sentAt: 2000 });
    expect(run(line(), [b, a]).text).toBe('b');
  });

  it('delete leaves a tombstone: text empty, no reactions, quote or edit mark; later events are ignored', () => {
    const react = ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob' });
    const edited = run(line({ replyTo: { id: 'x'.repeat(26), nick: 'Bob', text: 'q' } }), [ev({ kind: 'edit', text: 'secret' }), react]);
    const gone = applyEvent(edited, ev({ kind: 'delete', sentAt: 1 }), ME)!;
    expect(gone).toMatchObject({ text: '', deleted: true, id: TARGET, seq: 1, nick: 'Ana' });
    expect(gone.editedAt).toBeUndefined();
    expect(gone.reactions).toBeUndefined();
    expect(gone.marks).toBeUndefined();
    expect(gone.replyTo).toBeUndefined();
    expect(JSON.stringify(gone)).not.toContain('secret');
    expect(JSON.stringify(gone)).not.toContain('hello');
    expect(applyEvent(gone, ev({ kind: 'edit', text: 'back', sentAt: 9999 }), ME)).toBeNull();
    expect(applyEvent(gone, ev({ kind: 'react', emoji: '🎉', sender: signed(BOB) }), ME)).toBeNull();
    expect(applyEvent(gone, ev({ kind: 'delete' }), ME)).toBeNull();
  });
});

describe('the target (rule 2)', () => {
  it('an event whose target is not stored, or is a notice, changes nothing', () => {
    expect(applyEvent(undefined, ev({ kind: 'delete' }), ME)).toBeNull();
    expect(applyEvent(line({ kind: 'notice', sender: undefined }), ev({ kind: 'edit', text: 'x' }), ME)).toBeNull();
  });
});

describe('reactions (rule 6)', () => {
  it('anyone verified may react; count, who and whether we did', () => {
    const out = run(line(), [
      ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob' }),
      ev({ kind: 'react', emoji: '👍', sender: signed(ME), nick: 'Me' }),
      ev({ kind: 'react', emoji: '🎉', sender: signed(BOB), nick: 'Bob' }),
    ]);
    expect(out.reactions).toEqual([
      { emoji: '👍', by: ['Bob', 'You'], mine: true },
      { emoji: '🎉', by: ['Bob'], mine: false },
    ]);
  });

  it('one per (key, emoji): reacting twice counts once', () => {
    const out = run(line(), [
      ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob' }),
      ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob' }),
    ]);
    expect(out.reactions).toEqual([{ emoji: '👍', by: ['Bob'], mine: false }]);
  });

  it('the newest of add and remove wins in either arrival order', () => {
    const add = ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob', sentAt: 2000 });
    const remove = ev({ kind: 'unreact', emoji: '👍', sender: signed(BOB), nick: 'Bob', sentAt: 3000 });
    expect(run(line(), [add, remove]).reactions).toEqual([]);
    expect(run(line(), [remove, add]).reactions ?? []).toEqual([]);
    const readd = ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob', sentAt: 4000 });
    expect(run(line(), [readd, add, remove]).reactions).toEqual([{ emoji: '👍', by: ['Bob'], mine: false }]);
  });

  it('unsigned reactions are ignored', () => {
    expect(applyEvent(line(), ev({ kind: 'react', emoji: '👍', sender: { verified: false } }), ME)).toBeNull();
  });

  it('at most 200 (key, emoji) pairs are kept per message; a known pair still changes', () => {
    let l = line();
    const key = (i: number) => `K${String(i).padStart(42, '0')}`;
    for (let i = 0; i < 200; i++) l = applyEvent(l, ev({ kind: 'react', emoji: '👍', sender: signed(key(i)), nick: `n${i}` }), ME)!;
    expect(l.reactions![0]!.by).toHaveLength(200);
    expect(applyEvent(l, ev({ kind: 'react', emoji: '👍', sender: signed(key(200)), nick: 'late' }), ME)).toBeNull();
    const off = applyEvent(l, ev({ kind: 'unreact', emoji: '👍', sender: signed(key(0)), nick: 'n0', sentAt: 5000 }), ME)!;
    expect(off.reactions![0]!.by).toHaveLength(199);
  });
});

describe('replaying a room (rule 7)', () => {
  it('any order and any duplicates of the same events give the same line', () => {
    const events = [
      ev({ kind: 'edit', text: 'v2', sentAt: 2000 }),
      ev({ kind: 'react', emoji: '👍', sender: signed(BOB), nick: 'Bob', sentAt: 2100 }),
      ev({ kind: 'edit', text: 'v3', sentAt: 2200 }),
      ev({ kind: 'unreact', emoji: '👍', sender: signed(BOB), nick: 'Bob', sentAt: 2300 }),
      ev({ kind: 'react', emoji: '🎉', sender: signed(ME), nick: 'Me', sentAt: 2400 }),
    ];
    const expected = run(line(), events);
    expect(expected).toMatchObject({ text: 'v3', editedAt: 2200, reactions: [{ emoji: '🎉', by: ['You'], mine: true }] });
    const shuffled = [events[3]!, events[0]!, events[4]!, events[2]!, events[1]!, events[0]!, events[3]!];
    const again = run(line(), shuffled);
    expect({ text: again.text, editedAt: again.editedAt, reactions: again.reactions })
      .toEqual({ text: expected.text, editedAt: expected.editedAt, reactions: expected.reactions });
  });
});

describe('quotes', () => {
  it('a reply quotes its target as it stands: name and the first 100 characters; none if not stored', () => {
    expect(replyRef(TARGET, line({ text: 'x'.repeat(300) }))).toEqual({ id: TARGET, nick: 'Ana', text: 'x'.repeat(100) });
    expect(replyRef(TARGET, undefined)).toEqual({ id: TARGET, nick: '', text: null });
  });

  it('deleting a line drops the quoted text from the lines quoting it (rule 4)', () => {
    const answer = line({ id: 'Y'.repeat(26), replyTo: { id: TARGET, nick: 'Ana', text: 'hello' } });
    expect(withoutQuoteOf(answer, TARGET)!.replyTo).toEqual({ id: TARGET, nick: 'Ana', text: '' });
    expect(withoutQuoteOf(answer, 'Z'.repeat(26))).toBeNull();
  });
});
