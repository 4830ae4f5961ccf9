import type { PeerId } from '../src/shared/protocol.ts';

/*
 * What travels on a room's pub/sub channel (written by the scripts in relay/redis-scripts.ts and by
 * signalMessage below): space-separated, so a subscriber reads a short head and hands the rest, the
 * frame exactly as clients receive it, to its members without parsing or encoding it again.
 *   m <epoch> <seq> <from> <CHATMSG frame JSON>   a stored message
 *   j <peer>                                       JOINED
 *   l <peer>                                       LEFT
 *   r <peer>                                       a quiet rejoin registered (no frame: marks, for
 *                                                  the joining instance, where its snapshot ended)
 *   s <to> <SIGNAL frame JSON>                     for one peer, delivered by the instance holding it
 *   e <from> <EPHEMERAL frame JSON>                for every live member but `from`, stored nowhere
 */

export type ChannelMessage =
  | { readonly kind: 'chat'; readonly epoch: number; readonly seq: number; readonly from: PeerId; readonly frame: Buffer }
  | { readonly kind: 'joined' | 'left' | 'registered'; readonly peer: PeerId }
  | { readonly kind: 'signal'; readonly to: PeerId; readonly frame: Buffer }
  | { readonly kind: 'ephemeral'; readonly from: PeerId; readonly frame: Buffer };

const SPACE = 0x20;

export const ephemeralMessage = (from: PeerId, frameJson: string): string => `e ${from} ${frameJson}`;

export const signalMessage = (to: PeerId, frameJson: string): string => `s ${to} ${frameJson}`;

/** Undefined for anything else (nothing else is published there by a relay). */
export function readChannelMessage(message: Buffer): ChannelMessage | undefined {
  const kind = message[0];
  const a = message.indexOf(SPACE, 2);
  const end = a < 0 ? message.length : a;
  if (kind === 0x6d /* m */) {
    const b = message.indexOf(SPACE, a + 1);
    const c = message.indexOf(SPACE, b + 1);
    if (a < 0 || b < 0 || c < 0) return undefined;
    return {
      kind: 'chat',
      epoch: Number(message.toString('latin1', 2, a)),
      seq: Number(message.toString('latin1', a + 1, b)),
      from: message.toString('latin1', b + 1, c),
      frame: message.subarray(c + 1),
    };
  }
  if (kind === 0x6a /* j */) return { kind: 'joined', peer: message.toString('latin1', 2, end) };
  if (kind === 0x6c /* l */) return { kind: 'left', peer: message.toString('latin1', 2, end) };
  if (kind === 0x72 /* r */) return { kind: 'registered', peer: message.toString('latin1', 2, end) };
  if (kind === 0x73 /* s */ && a > 0) return { kind: 'signal', to: message.toString('latin1', 2, a), frame: message.subarray(a + 1) };
  if (kind === 0x65 /* e */ && a > 0) return { kind: 'ephemeral', from: message.toString('latin1', 2, a), frame: message.subarray(a + 1) };
  return undefined;
}
