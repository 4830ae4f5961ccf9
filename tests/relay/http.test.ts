import { describe, expect, it } from 'vitest';
import { newRoomId } from './client.ts';
import { startTestRelay } from './relay.ts';

describe('http', () => {
  it('GET /healthz answers 200 JSON', async () => {
    const relay = await startTestRelay();
    const res = await fetch(relay.httpUrl('/healthz'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ ok: true, connections: 0, rooms: 0 });
  });

  it('GET /metrics counts connections, rooms, frames, stored messages and errors by code', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);
    await alice.chat(room);
    alice.sendRaw('nope');
    await alice.next('ERROR');

    const res = await fetch(relay.httpUrl('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const sample = (name: string) => Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'))?.[1]);
    expect(sample('parley_relay_connections')).toBe(1);
    expect(sample('parley_relay_rooms')).toBe(1);
    expect(sample('parley_relay_frames_in_total')).toBe(3);
    expect(sample('parley_relay_frames_out_total')).toBe(4); // ROOM, SYNCED, ACK, ERROR
    expect(sample('parley_relay_messages_stored_total')).toBe(1);
    expect(sample('parley_relay_stored_messages')).toBe(1);
    expect(sample('parley_relay_errors_total{code="BAD_FRAME"}')).toBe(1);
    expect(sample('parley_relay_errors_total{code="ROOM_FULL"}')).toBe(0);
  });

  it('answers other paths with 404', async () => {
    const relay = await startTestRelay();
    expect((await fetch(relay.httpUrl('/'))).status).toBe(404);
    expect((await fetch(relay.httpUrl('/healthz'), { method: 'POST' })).status).toBe(405);
  });
});

// docs/protocol.md, "HTTP endpoints": /healthz allows extension origins to read it, nothing else does.
describe('http: /healthz for the extension', () => {
  it('lets an extension origin read /healthz, and no other origin or path', async () => {
    const relay = await startTestRelay();
    const acao = async (path: string, origin: string) =>
      (await fetch(relay.httpUrl(path), { headers: { origin } })).headers.get('access-control-allow-origin');
    expect(await acao('/healthz', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop')).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    expect(await acao('/healthz', 'moz-extension://0b5c2f3e-1d2a-4c4b-9e0f-123456789abc')).toBe('moz-extension://0b5c2f3e-1d2a-4c4b-9e0f-123456789abc');
    const vary = (await fetch(relay.httpUrl('/healthz'), { headers: { origin: 'chrome-extension://abc' } })).headers.get('vary');
    expect(vary?.toLowerCase()).toBe('origin');
    expect(await acao('/healthz', 'https://evil.example')).toBeNull();
    expect(await acao('/healthz', 'chrome-extension://abc/../x')).toBeNull();
    expect(await acao('/healthz', 'null')).toBeNull();
    expect(await acao('/metrics', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop')).toBeNull();
  });
});
