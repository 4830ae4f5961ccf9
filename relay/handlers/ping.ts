import type { Handler } from '../context.ts';

/** Application-level keepalive: browsers cannot send WebSocket pings, and any frame resets the idle timer. */
export const ping: Handler<'PING'> = (_ctx, peer, frame) => {
  peer.send({ type: 'PONG', t: frame.t });
};
