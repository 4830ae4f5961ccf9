import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { sendOwnEvent } from './own-event.ts';

/** Deletes one of our sent messages on every member's device (message-events.ts rule 4). */
export async function retractMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'retract-message' }>, view: ViewPort): Promise<void> {
  await sendOwnEvent(bg, view, msg.roomId, msg.id, { kind: 'delete' }, '');
}
