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
/** What a person can do with one of their messages the relay refused as it is. */
export type RefusedAction = (id: string, action: 'resend' | 'delete') => void;

interface LineProps {
  item: ChatItem;
  onSendNow?: (() => void) | undefined;
  onRefused?: RefusedAction | undefined;
}

class ChatLine extends Component<LineProps> {
  override shouldComponentUpdate(next: LineProps): boolean {
    return next.item !== this.props.item;
  }

  override render({ item, onSendNow, onRefused }: LineProps) {
    if (item.kind !== 'message') return <div class="pl-notice" data-testid={item.kind}>{item.text}</div>;
    return (
      <div class={`pl-msg${item.mine ? ' pl-mine' : ''}`} data-testid="message" data-status={item.status} data-id={item.id}>
        <div class="pl-meta">
          <SenderLine item={item} />
          <span class="pl-time">{time(item.sentAt)}</span>
          {item.status === 'sending' && !item.notSent ? <span class="pl-status">sending…</span> : null}
        </div>
        <MessageText text={item.text} />
        {item.status === 'sending' && item.notSent
          ? <NotSentLine id={item.id} notSent={item.notSent} onSendNow={onSendNow} onRefused={onRefused} />
          : null}
      </div>
    );
  }
}

/**
 * A message of ours the relay refused: for now (why, when Parley tries again, a way to try now), or
 * as it is (why, and Try again or Delete: Parley does not send it again by itself).
 */
function NotSentLine({ id, notSent, onSendNow, onRefused }: { id: string; notSent: NonNullable<ChatItem['notSent']> } & Omit<LineProps, 'item'>) {
  if (notSent.retryAt === null) {
    return (
      <div class="pl-not-sent" data-testid="not-sent" data-final="true">
        <span>{`Not sent: ${notSent.reason}`}</span>
        {onRefused ? <button data-testid="try-again" onClick={() => onRefused(id, 'resend')}>Try again</button> : null}
        {onRefused ? <button data-testid="delete-message" onClick={() => onRefused(id, 'delete')}>Delete</button> : null}
      </div>
    );
  }
  return (
    <div class="pl-not-sent" data-testid="not-sent">
      <span>{`Not sent yet: ${notSent.reason} Parley tries again at ${time(notSent.retryAt)}.`}</span>
      {onSendNow ? <button data-testid="send-now" onClick={onSendNow}>Send now</button> : null}
    </div>
  );
}

export function ChatLog({ items, onSendNow, onRefused }: { items: ChatItem[]; onSendNow?: () => void; onRefused?: RefusedAction }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [items.length]);
  if (items.length === 0) return <div class="pl-log pl-empty">No messages yet. Say hello!</div>;
  return (
    <div class="pl-log" role="log" aria-live="polite" data-testid="chat-log">
      {items.map((item) => <ChatLine key={item.id} item={item} onSendNow={onSendNow} onRefused={onRefused} />)}
      <div ref={end} />
    </div>
  );
}
