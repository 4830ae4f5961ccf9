import { deriveRoomKeys } from '../../shared/crypto.ts';
import { parseJoinInput } from '../../shared/invite.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background } from '../context.ts';
import { dropWaitingJoin } from '../join-bounds.ts';

/**
 * [Cancel] beside "Joining…": the join the same text asked for stops waiting. A room the relay
 * already confirmed is stored and stays (leaving it is the way out of that).
 */
export async function cancelJoin(bg: Background, msg: Extract<ViewToBackground, { type: 'cancel-join' }>): Promise<void> {
  const parsed = parseJoinInput(typeof msg.code === 'string' ? msg.code : '');
  if (!parsed.ok) return;
  const { roomId } = await deriveRoomKeys(parsed.value.code);
  await dropWaitingJoin(bg, roomId);
}
