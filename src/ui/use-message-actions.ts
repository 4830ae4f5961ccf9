import { useState } from 'preact/hooks';
import { newMessageId } from '../shared/message-id.ts';
import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';
import { useLineActions } from './line-actions.ts';

/**
 * A room view's message actions: the line answered or edited in the composer, the line the log
 * should bring into view, and the LineActions that set them. One place, so the popup and the
 * overlay behave alike.
 */
export function useMessageActions(send: (msg: ViewToBackground) => void, roomId: string, items: ChatItem[], focus: (id: string) => void) {
  const [replyTo, setReplyTo] = useState<ChatItem | null>(null);
  const [editing, setEditing] = useState<ChatItem | null>(null);
  const composerBox = () => document.querySelector<HTMLTextAreaElement>('[data-testid=composer]');
  const actions = useLineActions(send, roomId, {
    onReply: (item) => { setEditing(null); setReplyTo(item); composerBox()?.focus(); },
    onEdit: (item) => { setReplyTo(null); setEditing(item); composerBox()?.focus(); },
    onFocus: focus,
  });
  const composer = {
    replyTo, editing,
    onCancel: () => { setReplyTo(null); setEditing(null); },
    onEditLast: () => {
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i]!;
        if (item.kind === 'message' && item.mine && !item.deleted && item.sender?.verified) {
          setReplyTo(null);
          setEditing(item);
          return;
        }
      }
    },
    onSend: (text: string) => {
      if (editing) send({ type: 'edit-message', roomId, id: editing.id, text });
      else send({ type: 'send-message', roomId, text, id: newMessageId(), ...(replyTo ? { replyTo: replyTo.id } : {}) });
      setReplyTo(null);
      setEditing(null);
    },
  };
  return { actions, composer };
}

/**
 * Brings line `id` into view: at once if it is loaded, else after asking the background for
 * everything back to it (load-older with untilId); the log does the scrolling (ChatLog's focusId).
 */
export function useFocusLine(send: (msg: ViewToBackground) => void, roomId: string, items: ChatItem[], cursor: { order: number; id: string } | null) {
  const [focusId, setFocusId] = useState<string | null>(null);
  const focus = (id: string) => {
    setFocusId(id);
    // From the page cursor, not the first line shown: a live line filling an old hole may be first.
    if (cursor && !items.some((i) => i.id === id)) {
      send({ type: 'load-older', roomId, before: cursor, untilId: id });
    }
  };
  return { focusId, focus };
}
