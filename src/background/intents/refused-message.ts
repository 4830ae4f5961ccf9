import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background } from '../context.ts';
import { deleteRefused, resendRefused } from '../outbox.ts';
import { deleteHeldDirectOnly, retryDirectOnly } from '../direct-only.ts';
import type { ViewPort } from '../context.ts';

/** [Try again] on a message the relay refused as it is (another relay, a newer one may take it). */
export async function resendMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'resend-message' }>, view?: ViewPort): Promise<void> {
  if (typeof msg.roomId !== 'string' || typeof msg.id !== 'string') return;
  // One sent only directly that went on no channel (direct-only.ts rule 3): never to the relay.
  if (await retryDirectOnly(bg, msg.roomId, msg.id, view)) return;
  await resendRefused(bg, msg.roomId, msg.id);
}

/** [Delete] on a message the relay refused as it is. */
export async function deleteMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'delete-message' }>): Promise<void> {
  if (typeof msg.roomId !== 'string' || typeof msg.id !== 'string') return;
  if (await deleteHeldDirectOnly(bg, msg.roomId, msg.id)) return;
  await deleteRefused(bg, msg.roomId, msg.id);
}
