import { useMemo, useRef } from 'preact/hooks';
import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';
import type { LineActions } from './chat-line.tsx';

/** What the view around the log does for a line: the composer's reply and edit, the log's focus. */
export interface ViewLineActions {
  onReply?: (item: ChatItem) => void;
  onEdit?: (item: ChatItem) => void;
  onFocus?: (id: string) => void;
}

/**
 * What a line can ask of the background, made once per room: one object that stays the same
 * between renders, so a line re-renders only when its own item changes. The view's own handlers
 * are read through a ref, so they may change without making a new object.
 */
export function useLineActions(send: (msg: ViewToBackground) => void, roomId: string, view: ViewLineActions = {}): LineActions {
  const local = useRef(view);
  local.current = view;
  const offers = { reply: !!view.onReply, edit: !!view.onEdit, focus: !!view.onFocus };
  return useMemo<LineActions>(() => ({
    onSendNow: () => send({ type: 'retry-now' }),
    onRefused: (id, action) => send({ type: action === 'resend' ? 'resend-message' : 'delete-message', roomId, id }),
    onReact: (id, emoji, on) => send({ type: 'react', roomId, id, emoji, on }),
    onRetract: (id) => send({ type: 'retract-message', roomId, id }),
    onOpenQuote: (id) => send({ type: 'open-quote', roomId, id }),
    onReply: offers.reply ? (item) => local.current.onReply?.(item) : undefined,
    onEdit: offers.edit ? (item) => local.current.onEdit?.(item) : undefined,
    onFocus: offers.focus ? (id) => local.current.onFocus?.(id) : undefined,
  }), [roomId, offers.reply, offers.edit, offers.focus]);
}
