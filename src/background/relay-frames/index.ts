import type { RelayToClient } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import { onAck } from './on-ack.ts';
import { onChatMessage } from './on-chat-message.ts';
import { onError } from './on-error.ts';
import { onGap } from './on-gap.ts';
import { onMembership } from './on-membership.ts';
import { onRoom } from './on-room.ts';
import { onSynced } from './on-synced.ts';
import { onWrongRoom } from './on-wrong-room.ts';

type Handlers = { [K in RelayToClient['type']]: (bg: Background, frame: Extract<RelayToClient, { type: K }>) => Promise<void> };

const ignore = async (): Promise<void> => {};

/** One handler per relay frame type. SIGNAL waits for the WebRTC upgrade; PONG only proves life. */
export const relayFrameHandlers: Handlers = {
  ROOM: onRoom,
  WRONGROOM: onWrongRoom,
  CHATMSG: onChatMessage,
  ACK: onAck,
  GAP: onGap,
  SYNCED: onSynced,
  JOINED: onMembership,
  LEFT: onMembership,
  SIGNAL: ignore,
  PONG: ignore,
  ERROR: onError,
};

export function handleRelayFrame(bg: Background, frame: RelayToClient): Promise<void> {
  const handler = relayFrameHandlers[frame.type] as (bg: Background, frame: RelayToClient) => Promise<void>;
  return handler(bg, frame);
}
