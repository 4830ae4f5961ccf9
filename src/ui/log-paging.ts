import type { ViewToBackground } from '../shared/view-messages.ts';
import type { ViewState } from './use-background.ts';

/** What ChatLog needs to page back through a room and place the "new messages" divider. */
export interface LogPaging {
  hasOlder: boolean;
  firstUnread: string | null;
  /** The line the next older page goes before (ViewState.cursor): asked for once per cursor. */
  pagedFrom: string | null;
  onLoadOlder: () => void;
  /** Where a jump to a line not loaded yet (a search result, a quote) pages back from. */
  cursor: { order: number; id: string } | null;
}

export function logPaging(state: ViewState, send: (msg: ViewToBackground) => void, roomId: string): LogPaging {
  return {
    hasOlder: state.hasOlder,
    firstUnread: state.firstUnread,
    pagedFrom: state.cursor?.id ?? null,
    cursor: state.cursor,
    // From the page cursor, not the first line shown: a live line filling an old hole may be first.
    onLoadOlder: () => {
      if (state.cursor) send({ type: 'load-older', roomId, before: state.cursor });
    },
  };
}

/** The part of LogPaging that ChatLog takes (the cursor is the views' own, for jumps). */
export function logProps(paging: LogPaging | undefined): Omit<LogPaging, 'cursor'> | Record<string, never> {
  if (!paging) return {};
  const { cursor: _cursor, ...rest } = paging;
  return rest;
}
