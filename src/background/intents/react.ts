import { isOneEmoji } from '../../shared/crypto.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { sendOwnEvent } from './own-event.ts';

/** Puts our reaction on a message, or takes it back (message-events.ts rule 6). */
export async function react(bg: Background, msg: Extract<ViewToBackground, { type: 'react' }>, view: ViewPort): Promise<void> {
  if (typeof msg.emoji !== 'string' || !isOneEmoji(msg.emoji)) {
    bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'A reaction is one emoji.' });
    return;
  }
  await sendOwnEvent(bg, view, msg.roomId, msg.id, { kind: msg.on === false ? 'unreact' : 'react', emoji: msg.emoji }, '');
}
