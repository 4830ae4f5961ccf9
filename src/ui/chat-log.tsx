import { Component } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ChatItem } from '../shared/view-messages.ts';
import { MessageText } from './message-text.tsx';
import { SenderLine } from './sender-line.tsx';

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * One line of the chat. Re-renders only when its own item changes (the background sends a new
 * object per change), so a new message in a long room costs one row, not the whole log.
 */
class ChatLine extends Component<{ item: ChatItem; onSendNow?: () => void }> {
  override shouldComponentUpdate(next: { item: ChatItem }): boolean {
    return next.item !== this.props.item;
  }

  override render({ item, onSendNow }: { item: ChatItem; onSendNow?: () => void }) {
    if (item.kind !== 'message') return <div class="pl-notice" data-testid={item.kind}>{item.text}</div>;
    return (
      <div class={`pl-msg${item.mine ? ' pl-mine' : ''}`} data-testid="message" data-status={item.status} data-id={item.id}>
        <div class="pl-meta">
          <SenderLine item={item} />
          <span class="pl-time">{time(item.sentAt)}</span>
          {item.status === 'sending' && !item.notSent ? <span class="pl-status">sending…</span> : null}
        </div>
        <MessageText text={item.text} />
        {item.status === 'sending' && item.notSent ? <NotSentLine notSent={item.notSent} onSendNow={onSendNow} /> : null}
      </div>
    );
  }
}

/** A message of ours the relay refused for now: why, when Parley tries again, and a way to try now. */
function NotSentLine({ notSent, onSendNow }: { notSent: NonNullable<ChatItem['notSent']>; onSendNow?: (() => void) | undefined }) {
  return (
    <div class="pl-not-sent" data-testid="not-sent">
      <span>{`Not sent yet: ${notSent.reason} Parley tries again at ${time(notSent.retryAt)}.`}</span>
      {onSendNow ? <button data-testid="send-now" onClick={onSendNow}>Send now</button> : null}
    </div>
  );
}

export function ChatLog({ items, onSendNow }: { items: ChatItem[]; onSendNow?: () => void }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [items.length]);
  if (items.length === 0) return <div class="pl-log pl-empty">No messages yet. Say hello!</div>;
  return (
    <div class="pl-log" role="log" aria-live="polite" data-testid="chat-log">
      {items.map((item) => <ChatLine key={item.id} item={item} onSendNow={onSendNow} />)}
      <div ref={end} />
    </div>
  );
}
