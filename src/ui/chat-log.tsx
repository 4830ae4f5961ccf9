import { useEffect, useRef } from 'preact/hooks';
import type { ChatItem } from '../shared/view-messages.ts';
import { ChatLine, type LineActions } from './chat-line.tsx';

export type { LineActions, RefusedAction } from './chat-line.tsx';

/**
 * The room's lines. `focusId`: a line to bring into view and mark (a search result, a quoted
 * message), once it is among `items`.
 */
export function ChatLog({ items, actions, focusId: _focusId = null }: { items: ChatItem[]; actions: LineActions; focusId?: string | null }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [items.length]);
  if (items.length === 0) return <div class="pl-log pl-empty">No messages yet. Say hello!</div>;
  return (
    <div class="pl-log" role="log" aria-live="polite" data-testid="chat-log">
      {items.map((item, i) => <ChatLine key={item.id} item={item} prev={items[i - 1] ?? null} actions={actions} />)}
      <div ref={end} />
    </div>
  );
}
