import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';
import type { ViewState } from './use-background.ts';

/** What ChatLog needs to page back through a room and place the "new messages" divider. */
export interface LogPaging {
  hasOlder: boolean;
  firstUnread: string | null;
  onLoadOlder: (oldest: ChatItem) => void;
}

export function logPaging(state: ViewState, send: (msg: ViewToBackground) => void, roomId: string): LogPaging {
  return {
    hasOlder: state.hasOlder,
    firstUnread: state.firstUnread,
    onLoadOlder: (oldest) => send({ type: 'load-older', roomId, before: { order: oldest.order, id: oldest.id } }),
  };
}
