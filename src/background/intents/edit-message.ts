import { MAX_TEXT_CHARS } from '../../shared/constants.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { sendOwnEvent } from './own-event.ts';

/** A new text for one of our messages; only our own verified lines take it (message-events.ts rule 3). */
export async function editMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'edit-message' }>, view: ViewPort): Promise<void> {
  const text = typeof msg.text === 'string' ? msg.text : '';
  if (text.trim().length === 0) return;
  if (text.length > MAX_TEXT_CHARS) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: `Messages are limited to ${MAX_TEXT_CHARS.toLocaleString('en')} characters.` });
    return;
  }
  await sendOwnEvent(bg, view, msg.roomId, msg.id, { kind: 'edit' }, text);
}
