import type { RelayToClient } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { isOnLink } from '../relay-links.ts';
import { onAck } from './on-ack.ts';
import { onEphemeral } from './on-ephemeral.ts';
import { onChatMessage } from './on-chat-message.ts';
import { onError } from './on-error.ts';
import { onGap } from './on-gap.ts';
import { onMembership } from './on-membership.ts';
import { onRoom } from './on-room.ts';
import { onSynced } from './on-synced.ts';
import { onWrongRoom } from './on-wrong-room.ts';
import { onSignal } from '../direct-path.ts';

type Handlers = { [K in RelayToClient['type']]: (bg: Background, link: RelayLink, frame: Extract<RelayToClient, { type: K }>) => Promise<void> };

const ignore = async (): Promise<void> => {};

/** One handler per relay frame type. SIGNAL is the direct path's (direct-path.ts); PONG only proves life. */
export const relayFrameHandlers: Handlers = {
  ROOM: onRoom,
  WRONGROOM: onWrongRoom,
  CHATMSG: onChatMessage,
  ACK: onAck,
  GAP: onGap,
  SYNCED: onSynced,
  JOINED: onMembership,
  LEFT: onMembership,
  SIGNAL: onSignal,
  PONG: ignore,
  EPHEMERAL: onEphemeral,
  ERROR: onError,
};

/**
 * A frame from `link`'s relay, handled with that link's state. A frame about a room that does not
 * live on that relay (another relay's room, one we left) is dropped here: a relay can speak only
 * for its own rooms.
 */
export async function handleRelayFrame(bg: Background, link: RelayLink, frame: RelayToClient): Promise<void> {
  const room = 'room' in frame ? frame.room : undefined;
  if (typeof room === 'string' && !(await isOnLink(bg, link, room))) return;
  const handler = relayFrameHandlers[frame.type] as (bg: Background, link: RelayLink, frame: RelayToClient) => Promise<void>;
  await handler(bg, link, frame);
}
