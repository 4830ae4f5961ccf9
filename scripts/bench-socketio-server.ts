// Socket.IO doing the same room broadcast as scripts/bench-bare-ws-server.ts, for
// scripts/bench-relay-cpu.ts: WebSocket transport only, no compression, rooms from Socket.IO itself.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface Chat { room: string; id: string; body: string }

const server = createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room: string, ack: () => void) => {
    void socket.join(room);
    ack();
  });
  socket.on('chat', (chat: Chat) => {
    socket.to(chat.room).emit('chat', chat);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `ws://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
