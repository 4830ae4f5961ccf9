// The yardstick for scripts/bench-relay-cpu.ts: the least a WebSocket room broadcast can do with
// the same `ws` settings as the relay. It parses each frame to find the room and sends the bytes it
// received to every other member: no validation, no storage, no acks, no stamping.
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
const JOINED = JSON.stringify({ type: 'ROOM' });

wss.on('connection', (socket) => {
  socket.on('error', () => {});
  const mine = new Set<string>();
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(String(data)) as { type?: unknown; room?: unknown };
    if (typeof frame.room !== 'string') return;
    let members = rooms.get(frame.room);
    if (frame.type === 'GETROOM') {
      if (members === undefined) rooms.set(frame.room, (members = new Set()));
      members.add(socket);
      mine.add(frame.room);
      socket.send(JOINED);
      return;
    }
    if (members === undefined) return;
    for (const member of members) if (member !== socket) member.send(data, { binary: false });
  });
  socket.on('close', () => {
    for (const room of mine) rooms.get(room)?.delete(socket);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `ws://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
