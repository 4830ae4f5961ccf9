import type { ChatItem } from '../shared/view-messages.ts';

// A view's copy of a room's lines, kept in display order (order, then id) as the background
// sends changes. A change costs a binary search and one splice, and a batch one array copy, so a
// replay of thousands of lines is not thousands of copies of a growing list.

export interface Lines {
  items: ChatItem[];
  /** Each line's display order, by id: where to look for it when it changes or goes. */
  orders: Map<string, number>;
  /**
   * Where the next older page begins: the first line of the last page the background sent
   * (room-history, room-older), never moved by live lines. A live line that fills an old hole
   * lands before it; paging from items[0] would then skip every line in between.
   */
  cursor?: PageCursor | null;
}

export interface PageCursor {
  order: number;
  id: string;
}

const cursorOf = (item: ChatItem | undefined): PageCursor | null => (item ? { order: item.order, id: item.id } : null);

/** A room's newest page as the background sent it (room-history). */
export function historyLines(items: ChatItem[]): Lines {
  return { items, orders: ordersOf(items), cursor: cursorOf(items[0]) };
}

export function ordersOf(items: readonly ChatItem[]): Map<string, number> {
  return new Map(items.map((i) => [i.id, i.order]));
}

const before = (order: number, id: string, item: ChatItem): boolean => order < item.order || (order === item.order && id < item.id);

/** Where (order, id) is, or would go, in `items`. */
function search(items: readonly ChatItem[], order: number, id: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(order, id, items[mid]!)) hi = mid;
    else if (items[mid]!.order === order && items[mid]!.id === id) return mid;
    else lo = mid + 1;
  }
  return lo;
}

function take(items: ChatItem[], orders: Map<string, number>, id: string): void {
  const order = orders.get(id);
  if (order === undefined) return;
  const at = search(items, order, id);
  if (items[at]?.id === id) items.splice(at, 1);
  orders.delete(id);
}

/**
 * New or changed lines (`put`: a line with a known id replaces it, wherever its order moved, as
 * when a pending line of ours gets its seq) and lines gone (`removed`): one copy of the list.
 */
export function applyLines(lines: Lines, put: readonly ChatItem[], removed: readonly string[]): Lines {
  if (put.length === 0 && removed.every((id) => !lines.orders.has(id))) return lines;
  const items = lines.items.slice();
  const orders = new Map(lines.orders);
  for (const id of removed) take(items, orders, id);
  for (const item of put) {
    take(items, orders, item.id);
    // The common case, a line newer than every other, is a push.
    const last = items[items.length - 1];
    if (!last || before(last.order, last.id, item)) items.push(item);
    else items.splice(search(items, item.order, item.id), 0, item);
    orders.set(item.id, item.order);
  }
  return { ...lines, items, orders };
}

/**
 * An older page (lines it already has are skipped), merged in display order: it goes before the
 * lines the view paged from, but a live line that filled an old hole may be older still.
 */
export function prependLines(lines: Lines, older: readonly ChatItem[]): Lines {
  const fresh = older.filter((i) => !lines.orders.has(i.id));
  const orders = new Map(lines.orders);
  for (const i of fresh) orders.set(i.id, i.order);
  const cursor = cursorOf(older[0]) ?? lines.cursor ?? null;
  const first = lines.items[0];
  const lastFresh = fresh[fresh.length - 1];
  if (!first || !lastFresh || before(lastFresh.order, lastFresh.id, first)) return { items: [...fresh, ...lines.items], orders, cursor };
  const items: ChatItem[] = [];
  let a = 0;
  let b = 0;
  while (a < fresh.length || b < lines.items.length) {
    const x = fresh[a];
    const y = lines.items[b];
    if (x && (!y || before(x.order, x.id, y))) { items.push(x); a++; } else { items.push(y!); b++; }
  }
  return { items, orders, cursor };
}
