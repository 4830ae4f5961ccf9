import type { RawData } from 'ws';
import { decodeClientFrame } from '../src/shared/codec.ts';
import type { ClientToRelay } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';
import { handlers } from './handlers/index.ts';
import { errorText } from './log.ts';
import type { Peer } from './peer.ts';
import type { TokenBucket } from './token-bucket.ts';

/**
 * Every client frame takes this path: liveness, rate limit, text-only, codec, handler. Whatever goes
 * wrong is answered with a typed ERROR frame and the connection carries on.
 */
export function receiveFrame(ctx: RelayContext, peer: Peer, data: RawData, isBinary: boolean): void {
  const now = performance.now();
  peer.lastHeardAt = now;
  ctx.metrics.framesIn++;
  // Checked before decoding, so a flood costs the relay as little as possible.
  if (!peer.bucket.take(now)) {
    peer.error('RATE_LIMITED');
    throttle(peer, peer.bucket);
    return;
  }
  // Oversized frames are answered by the codec (FRAME_TOO_LARGE), not charged to the byte budget,
  // which could never hold them and would stall the connection for nothing.
  const bytes = byteLength(data);
  if (bytes <= ctx.config.maxFrameKb * 1024 && !peer.byteBucket.take(now, bytes)) {
    peer.error('RATE_LIMITED', { message: 'Too many bytes per second; this frame was not processed. Slow down.' });
    throttle(peer, peer.byteBucket);
    return;
  }
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
    dispatch(ctx, peer, frame);
  } catch (error) {
    ctx.log.error('handler_failed', { type: frame.type, peer: peer.id, error: errorText(error) });
    peer.error('INTERNAL', { ref: frame.type, room: 'room' in frame ? frame.room : undefined });
  }
}

/**
 * Stops reading a flooding connection until its bucket has a token again. Its next frames wait in
 * its own TCP buffers (and then its sender's) instead of costing the relay a read, a UTF-8 check
 * and a refusal each: the flood slows itself, and other rooms keep the CPU.
 */
function throttle(peer: Peer, bucket: TokenBucket): void {
  if (peer.socket.isPaused) return;
  peer.socket.pause();
  setTimeout(() => {
    if (peer.socket.readyState === peer.socket.OPEN) peer.socket.resume();
  }, bucket.msUntilToken()).unref();
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

function dispatch<F extends ClientToRelay>(ctx: RelayContext, peer: Peer, frame: F): void {
  // TypeScript cannot correlate handlers[frame.type] with frame's own type; the map's type guarantees it.
  const handler = handlers[frame.type] as (ctx: RelayContext, peer: Peer, frame: F) => void;
  handler(ctx, peer, frame);
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
