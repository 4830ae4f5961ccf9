// Figure, not a test: how much access log one TCP socket can make the relay write, pipelining 404s
// with 8 kB paths until the relay closes it (docs/protocol.md, "Access records"; before their
// bounds this wrote 845 MB in 5 s). Run: npx tsx scripts/bench-access-log.ts
import net from 'node:net';
import { startRelay } from '../relay/server.ts';

let bytes = 0;
let records = 0;
const relay = await startRelay({ port: 0, historyPath: ':memory:', logLevel: 'info' }, {
  writeLog: (line) => {
    bytes += line.length;
    if (line.includes('"http_request"')) records++;
  },
});
const request = `GET /${'x'.repeat(8000)} HTTP/1.1\r\nHost: a\r\n\r\n`;
const started = performance.now();
let answered = 0;
await new Promise<void>((resolve) => {
  const socket = net.connect(relay.port, '127.0.0.1', () => {
    const pump = (): void => {
      while (socket.writable && socket.write(request.repeat(50))) {
        // until the kernel's buffer is full
      }
    };
    socket.on('drain', pump);
    pump();
  });
  socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1').match(/^HTTP\/1\.1 /gm)?.length ?? 0));
  socket.on('close', () => resolve());
  socket.on('error', () => {});
});
const ms = performance.now() - started;
console.log(
  `one socket: ${answered} responses, ${records} access records, ${relay.metrics.accessRecordsDropped} dropped, ` +
    `${(bytes / 1e6).toFixed(3)} MB of log in ${ms.toFixed(0)} ms`,
);
await relay.close();
