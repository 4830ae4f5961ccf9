import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background } from '../context.ts';
import { ourTyping } from '../presence.ts';

/** The composer says typing or not: sent on, throttled, as a sealed EPHEMERAL (presence.ts, rule 4). */
export async function typing(bg: Background, msg: Extract<ViewToBackground, { type: 'typing' }>): Promise<void> {
  const room = bg.mem.rooms.get(msg.roomId);
  const link = room ? bg.links.get(room.relayUrl) : undefined;
  if (link) await ourTyping(bg, link, msg.roomId, msg.typing === true);
}
