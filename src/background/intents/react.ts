import { MAX_REACTIONS_PER_MESSAGE } from '../../shared/constants.ts';
import { isOneEmoji } from '../../shared/crypto.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { ownIdentity } from '../identity.ts';
import { sendOwnEvent } from './own-event.ts';

/** Said when a line holds the most reactions kept (docs/security.md "Edits, deletes and reactions"). */
export const REACTIONS_FULL_TEXT = `Your reaction was not added: this message already has the most reactions Parley keeps (${MAX_REACTIONS_PER_MESSAGE}).`;

/** Puts our reaction on a message, or takes it back (message-events.ts rule 6). */
export async function react(bg: Background, msg: Extract<ViewToBackground, { type: 'react' }>, view: ViewPort): Promise<void> {
  if (typeof msg.emoji !== 'string' || !isOneEmoji(msg.emoji)) {
    bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'A reaction is one emoji.' });
    return;
  }
  // Already as asked (a second tap, two views): nothing to send. Not a rule of applying, which
  // must take a newer event of the same state, or replays in another order would disagree.
  const on = msg.on !== false;
  const line = typeof msg.id === 'string' ? await bg.db.get('messages', [msg.roomId, msg.id]) : undefined;
  if ((line?.reactions?.some((r) => r.emoji === msg.emoji && r.mine) ?? false) === on) return;
  // The rules would not apply a new reaction to a full line (message-events.ts): say so, rather
  // than a tap that does nothing.
  const marks = line?.marks ?? [];
  if (on && marks.length >= MAX_REACTIONS_PER_MESSAGE) {
    const me = await ownIdentity(bg.db);
    if (!marks.some((m) => m.key === me.publicKey && m.emoji === msg.emoji)) {
      bg.post(view, { type: 'error', code: 'REACTIONS_FULL', message: REACTIONS_FULL_TEXT });
      return;
    }
  }
  await sendOwnEvent(bg, view, msg.roomId, msg.id, { kind: on ? 'react' : 'unreact', emoji: msg.emoji }, '');
}
