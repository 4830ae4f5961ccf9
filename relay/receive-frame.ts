import type { RawData } from 'ws';
import { decodeClientFrame } from '../src/shared/codec.ts';
import type { ClientToRelay } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';
import { handlers } from './handlers/index.ts';
import { errorText } from './log.ts';
import type { Peer } from './peer.ts';

/**
 * Every client frame takes this path once its connection's rate gate lets it through: text-only,
 * codec, handler. Whatever goes wrong is answered with a typed ERROR frame and the connection
 * carries on.
 */
export function receiveFrame(ctx: RelayContext, peer: Peer, data: RawData, isBinary: boolean): void | Promise<void> {
  if (!peer.open) return; // a frame held by the rate gate may come through after the peer left
  if (isBinary) {
    peer.error('BINARY_FRAME');
    return;
  }
  const decoded = decodeClientFrame(toText(data), ctx.config.maxFrameKb * 1024);
  if (!decoded.ok) {
    peer.error(decoded.error.code, { message: decoded.error.message, ref: decoded.error.ref });
    return;
  }
  const frame = decoded.value;
  try {
    const handled = dispatch(ctx, peer, frame);
    // Only a handler that waits costs a promise (and a closure); the others finish here.
    if (handled instanceof Promise) return handled.catch((error: unknown) => failed(ctx, peer, frame, error));
  } catch (error) {
    failed(ctx, peer, frame, error);
  }
}

function failed(ctx: RelayContext, peer: Peer, frame: ClientToRelay, error: unknown): void {
  ctx.log.error('handler_failed', { type: frame.type, peer: peer.id, error: errorText(error) });
  peer.error('INTERNAL', { ref: frame.type, room: 'room' in frame ? frame.room : undefined });
}

function dispatch<F extends ClientToRelay>(ctx: RelayContext, peer: Peer, frame: F): void | Promise<void> {
  // TypeScript cannot correlate handlers[frame.type] with frame's own type; the map's type guarantees it.
  const handler = handlers[frame.type] as (ctx: RelayContext, peer: Peer, frame: F) => void | Promise<void>;
  return handler(ctx, peer, frame);
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
