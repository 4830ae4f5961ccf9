import { sealMessage } from '../../shared/crypto.ts';
import { signOutgoing } from '../../shared/identity-rules.ts';
import type { PageQuote, ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { PENDING_ORDER, type MessageRecord } from '../db.ts';
import { directOnlyOn, sendOwnDirectOnly } from '../direct-only.ts';
import { ownIdentity } from '../identity.ts';
import { memorySenders } from '../memory.ts';
import { queueOwnMessage } from '../messages.ts';
import { flushRoomOutbox } from '../outbox.ts';
import { takePreview } from '../quote-previews.ts';
import { roomKeys } from '../room-keys.ts';

export const PREVIEW_GONE = 'That quote is no longer waiting to be sent. Select the text and press "Quote selection" again.';

/**
 * "Send quote" under a quote's preview: sends exactly the passage the background showed the view
 * (quote-page's quote-preview, by its id), sealed as the line's `quote`; the page is not read again.
 */
export async function sendQuoteIntent(bg: Background, msg: Extract<ViewToBackground, { type: 'send-quote' }>, view: ViewPort): Promise<void> {
  const preview = typeof msg.roomId === 'string' && typeof msg.id === 'string' ? takePreview(bg, msg.roomId, msg.id) : null;
  if (!preview) {
    bg.post(view, { type: 'error', code: 'NO_SELECTION', message: PREVIEW_GONE });
    return;
  }
  await sendQuote(bg, msg.roomId, msg.id, preview.text, preview.quote, view);
}

async function sendQuote(bg: Background, roomId: string, id: string, text: string, quote: PageQuote, view: ViewPort): Promise<void> {
  const keys = await roomKeys(bg, roomId);
  if (!keys || !bg.mem.rooms.has(roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  const { nickname } = bg.mem.settings;
  const sentAt = Date.now();
  const { plaintext, sender } = await signOutgoing(await ownIdentity(bg.db), memorySenders(bg), roomId, id, { text, nick: nickname, sentAt, quote });
  const sealed = await sealMessage(keys, id, plaintext);
  if (!sealed.ok) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: sealed.error.message });
    return;
  }
  const line: MessageRecord = {
    roomId, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true,
    nick: nickname, text, sentAt, status: 'sending', sender, quote,
  };
  // "Don't store my messages on the relay" holds for quotes too (direct-only.ts).
  if (directOnlyOn(bg)) {
    await sendOwnDirectOnly(bg, line, sealed.value);
    return;
  }
  const isNew = await queueOwnMessage(bg, line, sealed.value);
  if (isNew) await flushRoomOutbox(bg, roomId);
}
