import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background } from '../context.ts';
import { deleteRefused, resendRefused } from '../outbox.ts';

/** [Try again] on a message the relay refused as it is (another relay, a newer one may take it). */
export async function resendMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'resend-message' }>): Promise<void> {
  if (typeof msg.roomId !== 'string' || typeof msg.id !== 'string') return;
  await resendRefused(bg, msg.roomId, msg.id);
}

/** [Delete] on a message the relay refused as it is. */
export async function deleteMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'delete-message' }>): Promise<void> {
  if (typeof msg.roomId !== 'string' || typeof msg.id !== 'string') return;
  await deleteRefused(bg, msg.roomId, msg.id);
}
