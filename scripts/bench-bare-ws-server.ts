// The yardstick for scripts/bench-relay-cpu.ts: the least work a relay's fan-out must do, with the
// same `ws` settings as the relay. Per chat frame it parses the JSON, stamps it as the relay does
// (from, seq per room, at), acks the sender, serialises the stamped frame once per room and sends
// those same bytes to every other member. No validation, no storage, no limits: the relay's extra
// cost over this is what its guarantees (and any waste) cost.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

interface Room { readonly members: Set<WebSocket>; seq: number }

const rooms = new Map<string, Room>();
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });

wss.on('connection', (socket) => {
  socket.on('error', () => {});
  // A peer id like the relay's: assigned here, never by the client.
  const from = randomBytes(10).toString('base64url');
  const mine = new Set<Room>();
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(String(data)) as { type?: unknown; room?: unknown; id?: unknown; body?: unknown };
    if (typeof frame.room !== 'string') return;
    let room = rooms.get(frame.room);
    if (frame.type === 'GETROOM') {
      if (room === undefined) rooms.set(frame.room, (room = { members: new Set(), seq: 0 }));
      room.members.add(socket);
      mine.add(room);
      socket.send(JSON.stringify({ type: 'ROOM', room: frame.room, peer: from, head: room.seq }));
      return;
    }
    if (frame.type !== 'CHATMSG' || room === undefined) return;
    const seq = ++room.seq;
    const at = Date.now();
    socket.send(JSON.stringify({ type: 'ACK', room: frame.room, id: frame.id, seq, at }));
    // Encoded once, as the relay's RoomRegistry.broadcast does: the same bytes go to every member.
    const out = Buffer.from(JSON.stringify({ type: 'CHATMSG', room: frame.room, id: frame.id, body: frame.body, from, seq, at }));
    for (const member of room.members) if (member !== socket) member.send(out, { binary: false });
  });
  socket.on('close', () => {
    for (const room of mine) room.members.delete(socket);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `ws://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
