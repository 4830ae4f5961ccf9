import { MAX_REACTIONS_PER_MESSAGE } from '../shared/constants.ts';
import type { ChatPlaintext } from '../shared/crypto.ts';
import { OTHER_KEY_LABEL, senderLabel } from '../shared/identity-rules.ts';
import type { Reaction, ReplyRef, SenderCheck } from '../shared/view-messages.ts';
import type { MessageRecord, ReactionMark } from './db.ts';

// The rules for sealed message events (edit, delete, reactions) and quoted replies, as
// docs/protocol.md "What a sealed body holds" states them. Every member applies them alike, to
// events received and to our own, so every device ends with the same lines:
//
// 1. An event is never a line of its own and never counts as unread; its seq is settled whatever
//    it changed (message-event-store.ts).
// 2. Its target is looked up on this device. No such message line (trimmed, never received, a
//    notice or gap): the event is dropped and nothing else happens.
// 3. Edit and delete count only from the target's author: the event verifies and the target is a
//    verified line signed by the same key. Anything else is ignored, without a notice (a notice per
//    forgery would let any member fill the chat).
// 4. Delete wins for good: text '', `deleted` set, reactions, quote, edit mark, page and thread id
//    dropped (the line leaves its page's thread); lines quoting it drop the quoted text; later
//    edits and reactions are ignored.
// 5. Edit: the newest by (sentAt, event id) wins; an older or repeated one changes nothing.
//    editedAt is the winning edit's sentAt.
// 6. Reactions count only from verified events. Per (reactor key, emoji) the newest event by
//    (sentAt, id) says on or off, whatever the arrival order; at most MAX_REACTIONS_PER_MESSAGE
//    pairs per message, a new pair beyond that is ignored.
// 7. So applying twice, or replaying a room, gives the same line.

/** An event as opened and checked (identity-rules.ts checkIncoming, or signOutgoing for ours). */
export interface MessageEvent {
  /** The event's own message id. */
  id: string;
  kind: NonNullable<ChatPlaintext['ev']>['kind'];
  target: string;
  emoji?: string | undefined;
  /** The new text (edit); '' otherwise. */
  text: string;
  nick: string;
  sentAt: number;
  sender: SenderCheck;
}

/** Ids compare as strings; they sort by creation time (message-id.ts). */
const newer = (aAt: number, aId: string, bAt: number, bId: string): boolean => aAt > bAt || (aAt === bAt && aId > bId);

/** The line after `event` (rules 2 to 7), or null when it changes nothing. */
export function applyEvent(target: MessageRecord | undefined, event: MessageEvent, ownKey: string): MessageRecord | null {
  if (!target || target.kind !== 'message' || target.deleted) return null; // rules 2 and 4
  if (!event.sender.verified) return null; // rules 3 and 6
  const key = event.sender.key;
  switch (event.kind) {
    case 'delete': {
      if (!sameAuthor(target, key)) return null;
      // Which page the line was about goes too, and with `thread` its entry in the thread index.
      const { editedAt: _e, editId: _i, reactions: _r, marks: _m, replyTo: _q, quote: _pq, page: _p, thread: _t, ...rest } = target;
      return { ...rest, text: '', deleted: true };
    }
    case 'edit': {
      if (!sameAuthor(target, key) || event.text.trim().length === 0) return null;
      if (target.editedAt !== undefined && !newer(event.sentAt, event.id, target.editedAt, target.editId ?? '')) return null;
      return { ...target, text: event.text, editedAt: event.sentAt, editId: event.id };
    }
    case 'react':
    case 'unreact': {
      if (!event.emoji) return null;
      const marks = target.marks ?? [];
      const at = marks.findIndex((m) => m.key === key && m.emoji === event.emoji);
      const old = at >= 0 ? marks[at]! : null;
      if (old && !newer(event.sentAt, event.id, old.at, old.id)) return null;
      if (!old && marks.length >= MAX_REACTIONS_PER_MESSAGE) return null;
      const mark: ReactionMark = { key, emoji: event.emoji, name: reactorName(event, ownKey), on: event.kind === 'react', at: event.sentAt, id: event.id };
      const next = old ? marks.map((m, i) => (i === at ? mark : m)) : [...marks, mark];
      return { ...target, marks: next, reactions: reactionsOf(next, ownKey) };
    }
  }
}

function sameAuthor(target: MessageRecord, key: string): boolean {
  return target.sender?.verified === true && target.sender.key === key;
}

function reactorName(event: MessageEvent, ownKey: string): string {
  if (event.sender.verified && event.sender.key === ownKey) return 'You';
  const { name, flag } = senderLabel({ mine: false, nick: event.nick, sender: event.sender });
  return flag === OTHER_KEY_LABEL ? `${name} ${flag}` : name;
}

/** What a view shows: each emoji that is on, in the order first used, with who and whether we did. */
export function reactionsOf(marks: readonly ReactionMark[], ownKey: string): Reaction[] {
  const byEmoji = new Map<string, Reaction>();
  for (const m of marks) {
    if (!m.on) continue;
    let r = byEmoji.get(m.emoji);
    if (!r) byEmoji.set(m.emoji, (r = { emoji: m.emoji, by: [], mine: false }));
    r.by.push(m.name);
    if (m.key === ownKey) r.mine = true;
  }
  return [...byEmoji.values()];
}

/** How long a quote's snippet is: enough to recognise the line. */
export const QUOTE_CHARS = 100;

/** The quote of line `id` as it stands now; its text null when it is not on this device, '' when deleted. */
export function replyRef(id: string, target: MessageRecord | undefined): ReplyRef {
  if (!target || target.kind !== 'message') return { id, nick: '', text: null };
  return { id, nick: senderLabel(target).name, text: target.deleted ? '' : target.text.slice(0, QUOTE_CHARS) };
}

/** A line quoting the deleted line `id`, without the quoted text (rule 4); null if it does not quote it. */
export function withoutQuoteOf(line: MessageRecord, id: string): MessageRecord | null {
  if (line.replyTo?.id !== id || line.replyTo.text === '') return null;
  return { ...line, replyTo: { ...line.replyTo, text: '' } };
}
