import { Component } from 'preact';
import { useState } from 'preact/hooks';
import type { ChatItem, DeliveryStatus, Reaction, ReplyRef } from '../shared/view-messages.ts';
import { MessageText } from './message-text.tsx';
import { SenderLine } from './sender-line.tsx';
import { PageQuoteBlock } from './page-quote.tsx';
import './chat-line.css';

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Lines by one sender this close together share one name and time line. */
export const GROUP_MS = 5 * 60_000;
/** Longer than this (characters or lines), a message is shown folded, with "Show more". */
const FOLD_CHARS = 700;
const FOLD_LINES = 12;
/** The emoji the actions menu offers; any single emoji can be sent (protocol.md). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

/** What a person can do with one of their messages the relay refused as it is. */
export type RefusedAction = (id: string, action: 'resend' | 'delete') => void;

/** What a person can do from a line; a view leaves out what it does not offer. */
export interface LineActions {
  onSendNow?: (() => void) | undefined;
  onRefused?: RefusedAction | undefined;
  /** Answer this line: the composer shows what it answers. */
  onReply?: ((item: ChatItem) => void) | undefined;
  /** Put our reaction on (true) or take it back (false). */
  onReact?: ((id: string, emoji: string, on: boolean) => void) | undefined;
  /** Edit one of our lines: the composer takes its text. */
  onEdit?: ((item: ChatItem) => void) | undefined;
  /** Delete one of our lines for everyone. */
  onRetract?: ((id: string) => void) | undefined;
  /** Bring line `id` into view (a quote was clicked). */
  onFocus?: ((id: string) => void) | undefined;
  /** Open the page of line `id`'s quote at the passage. */
  onOpenQuote?: ((id: string) => void) | undefined;
}

interface LineProps {
  item: ChatItem;
  /** The line above it (null: the first loaded), for grouping and day separators. */
  prev: ChatItem | null;
  actions: LineActions;
}

const dayOf = (ms: number) => new Date(ms).toDateString();

/** "Today", "Yesterday", or the date. */
export function dayLabel(ms: number, now = Date.now()): string {
  if (dayOf(ms) === dayOf(now)) return 'Today';
  if (dayOf(ms) === dayOf(now - 86_400_000)) return 'Yesterday';
  return new Date(ms).toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

/** Same sender, same day, within GROUP_MS of the line above: the meta line is not repeated. */
export function continuesGroup(item: ChatItem, prev: ChatItem | null): boolean {
  if (!prev || prev.kind !== 'message' || item.kind !== 'message') return false;
  if (dayOf(prev.sentAt) !== dayOf(item.sentAt) || Math.abs(item.sentAt - prev.sentAt) > GROUP_MS) return false;
  if (prev.mine !== item.mine) return false;
  if (item.mine) return true;
  const a = prev.sender, b = item.sender;
  if (a?.verified && b?.verified) return a.key === b.key && prev.nick === item.nick && !b.otherKey;
  return !a?.verified && !b?.verified; // both "Unverified sender"; never merged with a verified one
}

/**
 * A line sent only directly ("Don't store my messages on the relay"): who got it, and that the
 * relay did not. Ours say to how many members it went; others' that it came only to us directly.
 */
export function directOnlyWords(item: Pick<ChatItem, 'mine' | 'directTo' | 'directGot'>): string {
  if (!item.mine) return 'sent to you directly, not stored on the relay';
  const members = (n: number) => (n === 1 ? '1 member' : `${n} members`);
  if (item.directGot) return `received directly by ${members(item.directGot)}, not stored on the relay`;
  return `sent directly to ${members(item.directTo ?? 0)}, not stored on the relay`;
}

/** The delivery state in words; null for others' lines. */
export function statusWords(status: DeliveryStatus): string | null {
  switch (status) {
    case 'sending': return 'sending…';
    case 'sent': return 'sent';
    case 'delivered': return 'delivered to everyone here';
    case 'received': return null;
  }
}

interface LineState {
  expanded: boolean;
  menu: boolean;
}

/**
 * One line of the chat. Re-renders only when its own item (or the one above) changes (the
 * background sends a new object per change), so a new message in a long room costs one row.
 */
export class ChatLine extends Component<LineProps, LineState> {
  override state: LineState = { expanded: false, menu: false };

  override shouldComponentUpdate(next: LineProps, state: LineState): boolean {
    return next.item !== this.props.item || next.prev !== this.props.prev || next.actions !== this.props.actions
      || state.expanded !== this.state.expanded || state.menu !== this.state.menu;
  }

  override render({ item, prev, actions }: LineProps, { expanded, menu }: LineState) {
    const separator = !prev || dayOf(prev.sentAt) !== dayOf(item.sentAt)
      ? <div class="pl-day" role="separator" data-testid="day-separator">{dayLabel(item.sentAt)}</div>
      : null;
    if (item.kind !== 'message') return <>{separator}<div class="pl-notice" data-testid={item.kind}>{item.text}</div></>;
    const grouped = !separator && continuesGroup(item, prev);
    const words = item.directOnly ? directOnlyWords(item) : statusWords(item.status);
    const long = item.text.length > FOLD_CHARS || item.text.split('\n', FOLD_LINES + 1).length > FOLD_LINES;
    const { onSendNow, onRefused } = actions;
    return (
      <>
        {separator}
        <div
          class={`pl-msg${item.mine ? ' pl-mine' : ''}${grouped ? ' pl-grouped' : ''}${item.deleted ? ' pl-deleted' : ''}`}
          data-testid="message" data-status={item.status} data-id={item.id} data-grouped={grouped ? 'true' : undefined}
          onKeyDown={(e) => { if (e.key === 'Escape' && menu) this.setState({ menu: false }); }}
        >
          {/* Grouped: still there for screen readers, which read lines one by one, not for the eye. */}
          <div class={grouped ? 'pl-meta pl-sr-only' : 'pl-meta'}>
            <SenderLine item={item} />
            <span class="pl-time">{time(item.sentAt)}</span>
          </div>
          {item.replyTo && !item.deleted ? <Quote reply={item.replyTo} onFocus={actions.onFocus} /> : null}
          {item.page ? <span class="pl-page-mark" data-testid="page-mark" title={item.page.url}>on {item.page.title || item.page.url}</span> : null}
          {item.quote && !item.deleted ? <PageQuoteBlock id={item.id} quote={item.quote} onOpen={actions.onOpenQuote} /> : null}
          {item.deleted ? (
            <span class="pl-text pl-tombstone" data-testid="deleted">Message deleted</span>
          ) : (
            <div class={long && !expanded ? 'pl-folded' : undefined}>
              <MessageText text={item.text} />
            </div>
          )}
          {long && !item.deleted ? (
            <button class="pl-link-button" data-testid="show-more" aria-expanded={expanded} onClick={() => this.setState({ expanded: !expanded })}>
              {expanded ? 'Show less' : 'Show more'}
            </button>
          ) : null}
          {item.editedAt !== undefined && !item.deleted
            ? <span class="pl-edited" data-testid="edited" title={`Edited ${new Date(item.editedAt).toLocaleString()}`}>edited</span>
            : null}
          {item.directDiffered
            ? <span class="pl-direct-differed" data-testid="direct-differed">The copy sent to you directly said something else; this is the relay's copy, the one everyone else has.</span>
            : null}
          {item.reactions && item.reactions.length > 0 && !item.deleted
            ? <Reactions id={item.id} reactions={item.reactions} onReact={actions.onReact} />
            : null}
          <div class="pl-foot">
            {words && !item.notSent ? <span class="pl-status" data-testid="status" data-direct-only={item.directOnly ? 'true' : undefined}>{words}</span> : null}
            {item.deleted ? null : (
              <LineMenu item={item} open={menu} actions={actions} toggle={(open) => this.setState({ menu: open })} />
            )}
          </div>
          {item.status === 'sending' && item.notSent
            ? <NotSentLine id={item.id} notSent={item.notSent} onSendNow={onSendNow} onRefused={onRefused} />
            : null}
        </div>
      </>
    );
  }
}

function Quote({ reply, onFocus }: { reply: ReplyRef; onFocus: LineActions['onFocus'] }) {
  const text = reply.text === null ? 'a message not on this device' : reply.text === '' ? 'Message deleted' : reply.text;
  const label = `Reply to ${reply.nick || 'a message'}: ${text}`;
  const inner = (
    <>
      {reply.nick ? <bdi class="pl-quote-nick">{reply.nick}</bdi> : null}
      <span class={`pl-quote-text${reply.text ? '' : ' pl-tombstone'}`} dir="auto">{text}</span>
    </>
  );
  // A line not on this device (trimmed, never received) cannot be shown: nothing to offer.
  if (reply.text === null) return <div class="pl-quote" role="note" data-testid="quote" data-quoted={reply.id} aria-label={label}>{inner}</div>;
  return (
    <button class="pl-quote" data-testid="quote" data-quoted={reply.id} aria-label={`${label}. Show it.`} title="Show the quoted message"
      onClick={() => onFocus?.(reply.id)}>
      {inner}
    </button>
  );
}

function Reactions({ id, reactions, onReact }: { id: string; reactions: Reaction[]; onReact: LineActions['onReact'] }) {
  return (
    <div class="pl-reactions" data-testid="reactions">
      {reactions.map((r) => {
        const who = `${r.emoji} by ${r.by.join(', ')}`;
        return (
          <button
            key={r.emoji} class="pl-reaction" data-testid="reaction" data-emoji={r.emoji} aria-pressed={r.mine}
            title={who} aria-label={`${who}${r.mine ? '. Press to take yours back' : '. Press to add yours'}`}
            disabled={!onReact} onClick={() => onReact?.(id, r.emoji, !r.mine)}
          >
            <span aria-hidden="true">{r.emoji}</span> <span data-testid="reaction-count">{r.by.length}</span>
          </button>
        );
      })}
    </div>
  );
}

/** Reply, react, and on our own lines edit and delete; a button that opens a small menu of buttons. */
function LineMenu({ item, open, actions, toggle }: { item: ChatItem; open: boolean; actions: LineActions; toggle: (open: boolean) => void }) {
  // A line sent only directly takes no events: they go through the relay, which never had it.
  const { onReply, onReact, onEdit, onRetract } = item.directOnly ? { onReply: actions.onReply } : actions;
  if (!onReply && !onReact && !onEdit && !onRetract) return null;
  const own = item.mine && item.sender?.verified === true;
  const mine = new Set(item.reactions?.filter((r) => r.mine).map((r) => r.emoji));
  const act = (f: () => void) => () => { toggle(false); f(); };
  // Deleting is for everyone and cannot be undone: asked once more, inside the menu.
  const [confirming, setConfirming] = useState(false);
  return (
    <span class="pl-line-menu">
      <button class="pl-menu-button" data-testid="line-actions" aria-haspopup="true" aria-expanded={open}
        aria-label="Message actions" onClick={() => toggle(!open)}>⋯</button>
      {open ? (
        <span class="pl-menu" role="group" aria-label="Message actions" data-testid="line-menu">
          {onReply ? <button data-testid="reply" onClick={act(() => onReply(item))}>Reply</button> : null}
          {onReact ? QUICK_REACTIONS.map((e) => (
            <button key={e} data-testid="react" data-emoji={e} aria-pressed={mine.has(e)} aria-label={`React with ${e}`}
              onClick={act(() => onReact(item.id, e, !mine.has(e)))}>{e}</button>
          )) : null}
          {own && onEdit ? <button data-testid="edit" onClick={act(() => onEdit(item))}>Edit</button> : null}
          {own && onRetract && !confirming ? <button data-testid="retract" class="pl-menu-danger" onClick={() => setConfirming(true)}>Delete</button> : null}
          {own && onRetract && confirming
            ? <button data-testid="retract-confirm" class="pl-menu-danger" onClick={act(() => onRetract(item.id))}>Delete for everyone</button>
            : null}
        </span>
      ) : null}
    </span>
  );
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
