// When a line continues its sender's group, what its day separator says, and the delivery state
// in words (src/ui/chat-line.tsx), from the brief's wording: same sender, within a few minutes
// (five), same day; "sending…", "sent", "delivered to everyone here".
import { describe, expect, it } from 'vitest';
import { continuesGroup, dayLabel, statusWords } from '../../src/ui/chat-line.tsx';
import type { ChatItem, SenderCheck } from '../../src/shared/view-messages.ts';

const key = (k: string): SenderCheck => ({ verified: true, key: k.repeat(43), fingerprint: 'F', safetyCode: 'S', otherKey: false });
const noon = new Date(2026, 10, 26, 12, 0).getTime();
const item = (over: Partial<ChatItem>): ChatItem => ({
  id: 'x', kind: 'message', seq: 1, order: 1, mine: false, nick: 'Ana', text: 't', sentAt: noon, status: 'received', sender: key('A'), ...over,
});

describe('grouping', () => {
  it('same verified key and name within five minutes on the same day: grouped', () => {
    expect(continuesGroup(item({ sentAt: noon + 4 * 60_000 }), item({}))).toBe(true);
    expect(continuesGroup(item({ sentAt: noon + 6 * 60_000 }), item({}))).toBe(false);
  });
  it('another key, another name, a flagged key, ours against theirs, a notice: not grouped', () => {
    expect(continuesGroup(item({ sender: key('B') }), item({}))).toBe(false);
    expect(continuesGroup(item({ nick: 'Bob' }), item({}))).toBe(false);
    expect(continuesGroup(item({ sender: { ...key('A'), otherKey: true } as SenderCheck }), item({}))).toBe(false);
    expect(continuesGroup(item({ mine: true }), item({}))).toBe(false);
    expect(continuesGroup(item({}), item({ kind: 'notice' }))).toBe(false);
    expect(continuesGroup(item({}), null)).toBe(false);
  });
  it('an unverified line never joins a verified one', () => {
    expect(continuesGroup(item({ sender: { verified: false } }), item({}))).toBe(false);
    expect(continuesGroup(item({ sender: { verified: false } }), item({ sender: { verified: false } }))).toBe(true);
  });
  it('across midnight: not grouped', () => {
    const late = new Date(2026, 10, 26, 23, 58).getTime();
    expect(continuesGroup(item({ sentAt: late + 3 * 60_000 }), item({ sentAt: late }))).toBe(false);
  });
});

describe('days and delivery', () => {
  it('Today, Yesterday, then the date', () => {
    expect(dayLabel(noon, noon + 60_000)).toBe('Today');
    expect(dayLabel(noon - 86_400_000, noon)).toBe('Yesterday');
    expect(dayLabel(noon - 3 * 86_400_000, noon)).toMatch(/2026/);
  });
  it('the delivery state in words, nothing on others\' lines', () => {
    expect(statusWords('sending')).toBe('sending…');
    expect(statusWords('sent')).toBe('sent');
    expect(statusWords('delivered')).toBe('delivered to everyone here');
    expect(statusWords('received')).toBeNull();
  });
});
