/**
 * A frame for many sockets, framed for the wire once: fan-out writes the same bytes to every
 * member's stream instead of having ws frame the payload again per member. The buffer bounds
 * count the payload, as for any frame.
 */
export interface WireFrame {
  readonly payload: Buffer;
  /** RFC 6455 framing as a server sends text: one final frame, unmasked, no extension bits. */
  readonly wire: Buffer;
}

export function wireFrame(payload: Buffer): WireFrame {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerLength + length);
  wire[0] = 0x81; // FIN + text opcode
  if (length < 126) {
    wire[1] = length;
  } else if (length < 65536) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    wire.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(wire, headerLength);
  return { payload, wire };
}
