// Review of issue 11 (review11a): failing tests that prove findings. Expected answers are read from
// docs/protocol.md, not from the code under test.
import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/background/db.ts';
import { applyEvent } from '../../src/background/message-events.ts';
import { quoteFromSelection } from '../../src/background/quote-selection.ts';
import { textFragmentUrl } from '../../src/shared/text-fragment.ts';
import type { SenderCheck } from '../../src/shared/view-messages.ts';

const ANA = 'A'.repeat(43);
const signed = (key: string): SenderCheck => ({ verified: true, key, fingerprint: 'XXXX-XXXX', safetyCode: null, otherKey: false });
const TARGET = '01J0000000000000000000000T';

describe('review11a', () => {
  // protocol.md "Applying events" rule 4: "Delete wins for good: the line keeps its id, place,
  // sender and time, its text becomes '' ...". Which page a thread line was about is none of those.
  it('a deleted thread line keeps only id, place, sender and time: not the page it was about', () => {
    const line: MessageRecord = {
      roomId: 'R', id: TARGET, kind: 'message', seq: 1, order: 1, mine: false, nick: 'Ana', text: 'about my bank',
      sentAt: 1000, status: 'received', sender: signed(ANA),
      page: { url: 'https://bank.example/account?id=42', title: 'Ana\u2019s account 42' }, thread: 'T'.repeat(43),
    };
    const gone = applyEvent(line, { id: '01J0000000000000000000000E', kind: 'delete', target: TARGET, text: '', nick: 'Ana', sentAt: 2000, sender: signed(ANA) }, 'M'.repeat(43));
    expect(gone).toMatchObject({ deleted: true, text: '' });
    expect(gone).not.toHaveProperty('page');
    expect(gone).not.toHaveProperty('thread');
  });

  // protocol.md "A quoted passage" rule 3: "what was cut off becomes the start of `suffix` (the
  // words that follow the passage quoted)". The page reads "... word end. Next sentence"; the
  // suffix must read as the page does, or the text fragment's suffix matches nothing.
  it('a passage cut at MAX_QUOTE_CHARS: the cut-off words lead the suffix as the page has them', () => {
    const page = 'https://example.org/a';
    const r = quoteFromSelection({ text: `${'word '.repeat(199)}word end`, url: page, prefix: '', suffix: '. Next sentence' }, page);
    if (!r.ok) throw new Error(r.message);
    expect(r.quote.suffix).toBe('end. Next sentence');
    expect(textFragmentUrl(r.quote)).toMatch(/,-end\.%20Next%20sentence$/);
  });
});
