import { useEffect, useRef } from 'preact/hooks';
import type { ChatItem } from '../shared/view-messages.ts';
import { MessageText } from './message-text.tsx';

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function ChatLog({ items }: { items: ChatItem[] }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [items.length]);
  if (items.length === 0) return <div class="pl-log pl-empty">No messages yet. Say hello!</div>;
  return (
    <div class="pl-log" role="log" aria-live="polite" data-testid="chat-log">
      {items.map((item) =>
        item.kind === 'message' ? (
          <div key={item.id} class={`pl-msg${item.mine ? ' pl-mine' : ''}`} data-testid="message" data-status={item.status} data-id={item.id}>
            <div class="pl-meta">
              <bdi class="pl-nick">{item.mine ? 'You' : item.nick || 'Anonymous'}</bdi>
              <span class="pl-time">{time(item.sentAt)}</span>
              {item.status === 'sending' ? <span class="pl-status">sending…</span> : null}
            </div>
            <MessageText text={item.text} />
          </div>
        ) : (
          <div key={item.id} class="pl-notice" data-testid={item.kind}>{item.text}</div>
        ),
      )}
      <div ref={end} />
    </div>
  );
}
