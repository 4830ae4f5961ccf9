import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLoggedRelay } from './relay.ts';

// docs/protocol.md, "HTTP endpoints", "Access records", "What `path` holds", "Access records are
// rate-limited" and "Requests per socket". The figures below are the documented defaults.
const CODE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01';
const ADDRESS_BURST = 20;
const ADDRESS_PER_SEC = 1;
const TOTAL_BURST = 100;
const TOTAL_PER_SEC = 10;
const MAX_REQUESTS_PER_SOCKET = 100;

/**
 * Pipelines `count` requests for `target` over one keep-alive socket from `from`, and resolves
 * with the status of every response read before the relay closed the socket.
 */
function pipeline(port: number, target: string, count: number, from = '127.0.0.1'): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => {
      // Half-closed after the last request: the relay answers what it read, then closes.
      socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(count));
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve([...answer.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]))));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
  });
}

async function droppedRecords(url: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return Number(/^parley_relay_access_records_dropped_total (\d+)$/m.exec(text)?.[1]);
}

describe('access records', () => {
  it.each([
    // A chat app or mail client that percent-encodes the "#" of a pasted link.
    [`/join%23${CODE}`],
    // A person who "fixes" the link by turning the # into a path segment.
    [`/join/${CODE}`],
  ])('write a path the relay does not serve as "other", never the code: %s', async (target) => {
    const relay = await startLoggedRelay();
    expect(await pipeline(relay.port, target, 1)).toEqual([404]);
    expect(await relay.logs.event('http_request')).toMatchObject({ path: 'other', status: 404 });
    expect(relay.logs.text).not.toContain(CODE.slice(0, 9));
    expect(relay.logs.text).not.toContain(CODE.replaceAll('-', '').slice(0, 8));
  });

  it('are bounded for one keep-alive socket pipelining long 404s, and the drops are counted', async () => {
    const relay = await startLoggedRelay();
    const started = performance.now();
    const statuses = await pipeline(relay.port, `/${'x'.repeat(8000)}`, 3 * MAX_REQUESTS_PER_SOCKET);
    const seconds = (performance.now() - started) / 1000;

    // No 503 for what was pipelined past the limit: the socket is closed instead.
    expect(statuses.every((status) => status === 404)).toBe(true);
    const records = relay.logs.lines.filter((line) => line.event === 'http_request');
    expect(records.length).toBeGreaterThanOrEqual(ADDRESS_BURST);
    expect(records.length).toBeLessThanOrEqual(ADDRESS_BURST + Math.ceil(ADDRESS_PER_SEC * seconds));
    expect(records.every((line) => line.path === 'other')).toBe(true);
    expect(relay.logs.text).not.toContain('xxxx');
    // Every request that reached a route has a record or is counted as dropped, and the socket
    // carried at most MAX_REQUESTS_PER_SOCKET of them (the client may not read every answer
    // before the relay closes it).
    const dropped = await droppedRecords(relay.httpUrl('/metrics'));
    expect(dropped).toBeGreaterThan(0);
    expect(records.length + dropped).toBeLessThanOrEqual(MAX_REQUESTS_PER_SOCKET);
    expect(records.length + dropped).toBeGreaterThanOrEqual(statuses.length);
  });

  it('are bounded in all when many addresses flood at once', async () => {
    const relay = await startLoggedRelay();
    const sources = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
    const started = performance.now();
    const statuses = await Promise.all(sources.map((from) => pipeline(relay.port, '/healthz', 50, from)));
    const seconds = (performance.now() - started) / 1000;

    const routed = statuses.flat().filter((status) => status === 200).length;
    expect(routed).toBe(8 * 50);
    const records = relay.logs.lines.filter((line) => line.event === 'http_request');
    expect(records.length).toBeLessThanOrEqual(TOTAL_BURST + Math.ceil(TOTAL_PER_SEC * seconds));
    for (const from of sources) {
      const own = records.filter((line) => line.address === from).length;
      expect(own).toBeLessThanOrEqual(ADDRESS_BURST + Math.ceil(ADDRESS_PER_SEC * seconds));
    }
    expect(await droppedRecords(relay.httpUrl('/metrics'))).toBe(routed - records.length);
  });
});
