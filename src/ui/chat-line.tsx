import { Component } from 'preact';
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

/** What a person can do from a line; a view leaves out what it does not offer. */
export interface LineActions {
  onSendNow?: (() => void) | undefined;
  onRefused?: RefusedAction | undefined;
}

interface LineProps {
  item: ChatItem;
  /** The line above it (null: the first loaded), for grouping and day separators. */
  prev: ChatItem | null;
  actions: LineActions;
}

export class ChatLine extends Component<LineProps> {
  override shouldComponentUpdate(next: LineProps): boolean {
    return next.item !== this.props.item || next.prev !== this.props.prev || next.actions !== this.props.actions;
  }

  override render({ item, actions: { onSendNow, onRefused } }: LineProps) {
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
function NotSentLine({ id, notSent, onSendNow, onRefused }: { id: string; notSent: NonNullable<ChatItem['notSent']> } & LineActions) {
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

