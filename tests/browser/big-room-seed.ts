import WebSocket from 'ws';
import { deriveRoomKeys, sealMessage } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { formatRoomCode, newRoomCode, parseRoomCode } from '../../src/shared/room-code.ts';
import type { RelayToClient } from '../../src/shared/protocol.ts';

/** Relay settings that let one client store a 10,000-message room quickly (big-room test and bench). */
export const BIG_ROOM_RELAY_ENV: Record<string, string> = {
  HISTORY_MAX_COUNT: '20000', ROOM_MAX_STORED_KB: '65536',
  RATE_PER_SEC: '5000', RATE_BURST: '5000', ADDRESS_RATE_PER_SEC: '5000', ADDRESS_RATE_BURST: '5000',
  RATE_KB_PER_SEC: '65536', ADDRESS_RATE_KB_PER_SEC: '65536', ADDRESS_STORED_KB_PER_DAY: '1048576',
};

/** The text of message `n` (1-based) of a seeded room. */
export const seededText = (n: number): string => `big room line ${n}`;

/**
 * A room on the relay holding `count` messages sealed with its key, as a member who typed them
 * would have sent them (a plain ws client, many in flight): texts seededText(first..), or `text`'s. Into a new
 * room, or the room of `code` (as shown). Returns the room's code as shown.
 */
export async function seedRoom(relayUrl: string, count: number, options: { code?: string; first?: number; nick?: string; text?: (n: number) => string } = {}): Promise<{ code: string; roomId: string }> {
  const parsed = options.code === undefined ? null : parseRoomCode(options.code);
  if (parsed && !parsed.ok) throw new Error(`bad room code ${options.code}`);
  const code = parsed ? parsed.value : newRoomCode();
  const { first = 1, nick = 'Seeder', text = seededText } = options;
  const keys = await deriveRoomKeys(code);
  const socket = new WebSocket(relayUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let acked = 0;
  let synced = false;
  let onAck: (() => void) | null = null;
  socket.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as RelayToClient;
    if (frame.type === 'ERROR') throw new Error(`seeding: relay said ${frame.code}: ${frame.message}`);
    if (frame.type === 'ACK') acked++;
    if (frame.type === 'SYNCED') synced = true;
    if (frame.type === 'ACK' || frame.type === 'SYNCED') onAck?.();
  });
  const waitFor = (done: () => boolean) => new Promise<void>((resolve) => {
    if (done()) return resolve();
    onAck = () => {
      if (!done()) return;
      onAck = null;
      resolve();
    };
  });
  socket.send(JSON.stringify({ type: 'GETROOM', room: keys.roomId }));
  await waitFor(() => synced);
  const WINDOW = 200;
  for (let n = 1; n <= count; n++) {
    const id = newMessageId();
    const body = await sealMessage(keys, id, { v: 1, text: text(first + n - 1), nick, sentAt: Date.now() });
    if (!body.ok) throw new Error('seal failed');
    socket.send(JSON.stringify({ type: 'CHATMSG', room: keys.roomId, id, body: body.value }));
    if (n - acked >= WINDOW) await waitFor(() => n - acked < WINDOW / 2);
  }
  await waitFor(() => acked === count);
  socket.close();
  return { code: formatRoomCode(code), roomId: keys.roomId };
}
