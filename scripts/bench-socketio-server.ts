// Socket.IO doing the same work as scripts/bench-bare-ws-server.ts, for scripts/bench-relay-cpu.ts:
// it stamps each chat message (from, seq per room, at), acks the sender through Socket.IO's own ack,
// and broadcasts with Socket.IO's rooms (its adapter encodes the packet once per broadcast).
// WebSocket transport only, no compression, no storage.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface Chat { room: string; id: string; body: string }
type Ack = (stamp: { seq: number; at: number }) => void;

const seqs = new Map<string, number>();
const server = createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room: string, ack: () => void) => {
    void socket.join(room);
    ack();
  });
  socket.on('chat', (chat: Chat, ack: Ack) => {
    const seq = (seqs.get(chat.room) ?? 0) + 1;
    seqs.set(chat.room, seq);
    const at = Date.now();
    ack({ seq, at });
    socket.to(chat.room).emit('chat', { room: chat.room, id: chat.id, body: chat.body, from: socket.id, seq, at });
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `ws://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
