import type { ClientFrameType } from '../../src/shared/protocol.ts';
import type { Handler } from '../context.ts';
import { chatMessage } from './chat-message.ts';
import { enterRoom } from './enter-room.ts';
import { ephemeral } from './ephemeral.ts';
import { getRoom } from './get-room.ts';
import { leave } from './leave.ts';
import { ping } from './ping.ts';
import { signal } from './signal.ts';

/** One handler per client frame type; the mapped type makes a missing one a compile error. */
export const handlers: { readonly [T in ClientFrameType]: Handler<T> } = {
  GETROOM: getRoom,
  ENTERROOM: enterRoom,
  LEAVE: leave,
  CHATMSG: chatMessage,
  SIGNAL: signal,
  PING: ping,
  EPHEMERAL: ephemeral,
};
