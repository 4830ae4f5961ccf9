import { Component, createRef } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ChatItem } from '../shared/view-messages.ts';
import { ChatLine, type LineActions } from './chat-line.tsx';
import './chat-log.css';

export type { LineActions, RefusedAction } from './chat-line.tsx';

/** Up to this many lines every one is in the DOM (find in page, screen readers); beyond, a window. */
const WINDOW_ABOVE = 150;
/** A line not measured yet (px): about one line of text with its name. */
const ESTIMATE = 56;
/** Rows kept in the DOM above and below the viewport (px), so a quick scroll does not show blanks. */
const OVERSCAN = 800;
/** Closer than this to the top (px) asks for older lines. */
const NEAR_TOP = 300;
/** Closer than this to the bottom (px) counts as at the bottom: new lines keep it there. */
const AT_BOTTOM = 24;

interface Props {
  items: ChatItem[];
  actions: LineActions;
  /** A line to bring into view and mark (a search result, a quoted message), once it is among `items`. */
  focusId?: string | null;
  /** More lines before `items`: scrolling near the top calls `onLoadOlder`, once per `pagedFrom`. */
  hasOlder?: boolean;
  onLoadOlder?: (() => void) | undefined;
  /** Where the next older page begins (log-paging.ts): a new one means another page may be asked for. */
  pagedFrom?: string | null;
  /** The line the "new messages" divider goes above. */
  firstUnread?: string | null;
}

/** Where each row begins (px), and at [length] where the last ends: measured heights, else ESTIMATE. */
function rowOffsets(items: ChatItem[], heights: Map<string, number>): Float64Array {
  const offsets = new Float64Array(items.length + 1);
  for (let i = 0; i < items.length; i++) offsets[i + 1] = offsets[i]! + (heights.get(items[i]!.id) ?? ESTIMATE);
  return offsets;
}

/** Notes the height of every row in the DOM; true when one was new or changed. */
function measureRows(el: HTMLElement, heights: Map<string, number>): boolean {
  let changed = false;
  for (const row of el.querySelectorAll<HTMLElement>(':scope > [data-row-id]')) {
    const id = row.dataset.rowId!;
    const height = row.offsetHeight;
    if (height === 0 || heights.get(id) === height) continue;
    heights.set(id, height);
    changed = true;
  }
  return changed;
}

/** Viewport moves made in one go, before a frame; beyond it the next waits for the frame. */
const MAX_SYNC_MOVES = 8;

/**
 * The log's viewport as its layout effect finds it. A few moves in a row are followed at once
 * (opening a room lands on its newest rows without a blank frame); a longer run waits for a frame,
 * so no geometry can keep the page's main thread rendering without end.
 */
class ViewportMoves {
  #inARow = 0;
  #frame: number | null = null;
  #reset: number | null = null;
  #latest = { top: 0, height: 0 };

  constructor(private readonly set: (v: { top: number; height: number }) => void) {}

  follow(top: number, height: number): void {
    this.#latest = { top, height };
    if (this.#frame !== null) return;
    if (this.#inARow < MAX_SYNC_MOVES) {
      this.#inARow++;
      this.#reset ??= requestAnimationFrame(() => { this.#reset = null; this.#inARow = 0; });
      this.set(this.#latest);
      return;
    }
    this.#frame = requestAnimationFrame(() => {
      this.#frame = null;
      this.set(this.#latest);
    });
  }

  cancel(): void {
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    if (this.#reset !== null) cancelAnimationFrame(this.#reset);
  }
}

/** The first index whose row ends below `y`. */
function rowAt(offsets: Float64Array, y: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid + 1]! <= y) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo);
}

/**
 * The room's lines. A long room keeps only the rows near the viewport in the DOM, placed by
 * measured heights (ResizeObserver; an estimate until a row was seen): opening a room of any
 * size draws a screenful. At the bottom it stays at the bottom as lines arrive; elsewhere the
 * line at the top of the viewport stays put when older lines are prepended or rows are measured.
 */
export function ChatLog({ items, actions, focusId = null, hasOlder = false, onLoadOlder, pagedFrom = null, firstUnread = null }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const stick = useRef(true);
  /** The line at the top of the viewport and how far the viewport's top is below its top. */
  const anchor = useRef<{ id: string; delta: number } | null>(null);
  const askedFor = useRef<string | null>(null);
  const focused = useRef<string | null>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 0 });
  const moves = useMemo(() => new ViewportMoves(setViewport), []);
  useLayoutEffect(() => () => moves.cancel(), [moves]);
  const [, setMeasured] = useState(0);
  const observer = useMemo(() => new ResizeObserver((entries) => {
    let changed = false;
    for (const entry of entries) {
      const id = (entry.target as HTMLElement).dataset.rowId;
      const height = (entry.target as HTMLElement).offsetHeight;
      if (id === undefined || height === 0 || heights.current.get(id) === height) continue;
      heights.current.set(id, height);
      changed = true;
    }
    if (changed) setMeasured((n) => n + 1);
  }), []);
  useLayoutEffect(() => () => observer.disconnect(), [observer]);

  let offsets = rowOffsets(items, heights.current);
  const windowed = items.length > WINDOW_ABOVE;
  const start = windowed ? rowAt(offsets, viewport.top - OVERSCAN) : 0;
  const end = windowed ? Math.min(items.length, rowAt(offsets, viewport.top + (viewport.height || 600) + OVERSCAN) + 1) : items.length;

  const loadOlderIfNear = (el: HTMLElement) => {
    if (items.length === 0 || pagedFrom === null || !hasOlder || !onLoadOlder || el.scrollTop > NEAR_TOP || askedFor.current === pagedFrom) return;
    askedFor.current = pagedFrom;
    onLoadOlder();
  };

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM;
    const at = items.length > 0 ? rowAt(offsets, el.scrollTop) : -1;
    anchor.current = at >= 0 ? { id: items[at]!.id, delta: el.scrollTop - offsets[at]! } : null;
    if (el.scrollTop !== viewport.top || el.clientHeight !== viewport.height) setViewport({ top: el.scrollTop, height: el.clientHeight });
    loadOlderIfNear(el);
  };

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    // The rows just put in the DOM are measured now, not at the next frame's ResizeObserver. A
    // window placed by estimates changes the scroll height, which moves the viewport, which moves
    // the window onto other estimated rows...: in renders that never reach a frame (Preact renders
    // in microtasks) two windows could take turns for good, and the page froze. Measured here, each
    // pass only adds measured rows, so it settles; and past MAX_SYNC_MOVES it waits for a frame.
    if (measureRows(el, heights.current)) offsets = rowOffsets(items, heights.current);
    const focusAt = focusId !== null && focusId !== focused.current ? items.findIndex((i) => i.id === focusId) : -1;
    if (focusAt >= 0) {
      // A third of the way down, so the lines around it show too.
      focused.current = focusId;
      stick.current = false;
      anchor.current = { id: focusId!, delta: -el.clientHeight / 3 };
    }
    if (stick.current) {
      el.scrollTop = el.scrollHeight;
    } else if (anchor.current) {
      const at = items.findIndex((i) => i.id === anchor.current!.id);
      if (at >= 0) {
        const want = Math.max(0, offsets[at]! + anchor.current.delta);
        if (Math.abs(el.scrollTop - want) >= 1) el.scrollTop = want;
      }
    }
    if (el.scrollTop !== viewport.top || el.clientHeight !== viewport.height) moves.follow(el.scrollTop, el.clientHeight);
    loadOlderIfNear(el);
  });

  if (items.length === 0) return <div class="pl-log pl-empty">No messages yet. Say hello!</div>;
  const rows = [];
  for (let i = start; i < end; i++) {
    const item = items[i]!;
    rows.push(
      <Row key={item.id} item={item} prev={items[i - 1] ?? null} actions={actions} observer={observer}
        focused={item.id === focusId} unread={item.id === firstUnread} />,
    );
  }
  // What the log holds beyond the rows drawn: read by assistive tests and the browser tests'
  // page objects, which scroll to see the rest as a reader would.
  let lines = 0;
  let sending = 0;
  for (const item of items) {
    if (item.kind !== 'message') continue;
    lines++;
    if (item.status === 'sending') sending++;
  }
  const above = offsets[start]!;
  const below = offsets[items.length]! - offsets[end]!;
  return (
    <div class="pl-log pl-log-rows" role="log" aria-live="polite" data-testid="chat-log" ref={box} onScroll={onScroll}
      data-has-older={hasOlder ? 'true' : 'false'} data-lines={lines} data-sending={sending}>
      {above > 0 ? <div class="pl-spacer" style={{ height: `${above}px` }} /> : null}
      {rows}
      {below > 0 ? <div class="pl-spacer" style={{ height: `${below}px` }} /> : null}
    </div>
  );
}

interface RowProps {
  item: ChatItem;
  prev: ChatItem | null;
  actions: LineActions;
  observer: ResizeObserver;
  focused: boolean;
  unread: boolean;
}

/** One line in the DOM, measured while it is there; re-rendered only when what it shows changed. */
class Row extends Component<RowProps> {
  readonly #el = createRef<HTMLDivElement>();

  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return next.item !== p.item || next.prev !== p.prev || next.actions !== p.actions || next.focused !== p.focused || next.unread !== p.unread;
  }

  override componentDidMount(): void {
    if (this.#el.current) this.props.observer.observe(this.#el.current);
  }

  override componentWillUnmount(): void {
    if (this.#el.current) this.props.observer.unobserve(this.#el.current);
  }

  override render({ item, prev, actions, focused, unread }: RowProps) {
    return (
      <div class="pl-row" ref={this.#el} data-row-id={item.id} data-focused={focused ? 'true' : undefined}>
        {unread ? <div class="pl-new-divider" role="separator" data-testid="new-divider">New messages</div> : null}
        <ChatLine item={item} prev={prev} actions={actions} />
      </div>
    );
  }
}
