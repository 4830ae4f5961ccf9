// A view's copy of a room's lines (src/ui/lines.ts), as the background's changes arrive: the
// same list the old copy-filter-insert reducer made, for the cases that move lines around.
import { describe, expect, it } from 'vitest';
import { applyLines, historyLines, ordersOf, prependLines, type Lines } from '../../src/ui/lines.ts';
import type { ChatItem } from '../../src/shared/view-messages.ts';

const PENDING = Number.MAX_SAFE_INTEGER;
const line = (id: string, order: number, text = id): ChatItem => ({
  id, kind: 'message', seq: order === PENDING ? null : order, order, mine: false, nick: 'n', text, sentAt: 0, status: 'received',
});
const of = (items: ChatItem[]): Lines => ({ items, orders: ordersOf(items) });
const ids = (l: Lines) => l.items.map((i) => i.id);

describe('a view applying line changes', () => {
  it('appends, inserts in (order, id) place, and replaces by id', () => {
    let l = of([line('a', 1), line('c', 3)]);
    l = applyLines(l, [line('d', 4), line('b', 2), line('b2', 2)], []);
    expect(ids(l)).toEqual(['a', 'b', 'b2', 'c', 'd']);
    l = applyLines(l, [line('c', 3, 'edited')], []);
    expect(ids(l)).toEqual(['a', 'b', 'b2', 'c', 'd']);
    expect(l.items[3]!.text).toBe('edited');
  });

  it('moves a pending line of ours to its seq when it is acked', () => {
    let l = of([line('a', 1), line('mine', PENDING), line('mine2', PENDING)]);
    l = applyLines(l, [line('b', 2)], []);
    expect(ids(l)).toEqual(['a', 'b', 'mine', 'mine2']);
    l = applyLines(l, [line('mine', 3)], []);
    expect(ids(l)).toEqual(['a', 'b', 'mine', 'mine2']);
    expect(l.items[2]!.seq).toBe(3);
    // Another member's line stamped after ours goes between it and our still pending one.
    l = applyLines(l, [line('z-theirs', 4)], []);
    expect(ids(l)).toEqual(['a', 'b', 'mine', 'z-theirs', 'mine2']);
    expect(l.items.filter((i) => i.id === 'mine')).toHaveLength(1);
  });

  it('removes a line, and ignores a removal of one it does not have', () => {
    const start = of([line('a', 1), line('b', 2), line('c', 3)]);
    const l = applyLines(start, [], ['b']);
    expect(ids(l)).toEqual(['a', 'c']);
    expect(l.orders.has('b')).toBe(false);
    expect(applyLines(l, [], ['nope'])).toBe(l);
    expect(ids(start)).toEqual(['a', 'b', 'c']); // the state it came from is untouched
  });

  it('a notice replaced by the genuine line (remove one, add another) in one batch', () => {
    let l = of([line('a', 1), line('unopened-b', 2)]);
    l = applyLines(l, [line('b', 2)], ['unopened-b']);
    expect(ids(l)).toEqual(['a', 'b']);
  });

  it('prepends an older page, skipping lines it already has', () => {
    const l = prependLines(of([line('c', 3), line('d', 4)]), [line('a', 1), line('b', 2), line('c', 3)]);
    expect(ids(l)).toEqual(['a', 'b', 'c', 'd']);
    expect(applyLines(l, [line('b', 2, 'x')], []).items[1]!.text).toBe('x');
  });

  it('an older page goes in order around a live line that filled an old hole, and moves the page cursor', () => {
    const history = historyLines([line('e', 5), line('f', 6)]);
    expect(history.cursor).toEqual({ order: 5, id: 'e' });
    const filled = applyLines(history, [line('b', 2)], []);
    expect(filled.cursor).toEqual({ order: 5, id: 'e' });
    const l = prependLines(filled, [line('c', 3), line('d', 4)]);
    expect(ids(l)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(l.cursor).toEqual({ order: 3, id: 'c' });
  });

  it('10,000 lines arriving one batch at a time stay in order', () => {
    let l = of([]);
    const all = Array.from({ length: 10_000 }, (_, i) => line(`m${String(i).padStart(5, '0')}`, i + 1));
    // Shuffled in chunks, as a replay with a few lines out of order would come.
    for (let i = 0; i < all.length; i += 100) l = applyLines(l, all.slice(i, i + 100).reverse(), []);
    expect(ids(l)).toEqual(all.map((i) => i.id));
  });
});
