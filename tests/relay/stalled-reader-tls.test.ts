import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import type { RelayConfig } from '../../relay/config.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

// Review of issue 9 (review9b): fan-out writes framed bytes straight to the socket's stream. On a
// wss:// relay that stream is a TLSSocket, whose writes never complete in the same turn, so the
// accounting goes another way than on plain TCP. docs/protocol.md, "Slow and stalled readers",
// holds for wss:// relays as for ws:// ones.
const FAST: Partial<RelayConfig> = {
  ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000,
  addressRatePerSec: 10_000, addressRateBurst: 10_000, addressRateKbPerSec: 1_000_000,
  addressStoredKbPerDay: 1_000_000,
};
const FULL_BODY_BYTES = Math.floor((MAX_BODY_CHARS * 3) / 4);
const OTHER = { localAddress: '127.0.0.2', rejectUnauthorized: false };
const TLS = { rejectUnauthorized: false };

async function startTlsRelay(overrides: Partial<RelayConfig>): Promise<TestRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return startTestRelay({ ...overrides, tlsCert: cert, tlsKey: key });
}

async function unsentBytes(relay: TestRelay, tls = true): Promise<number> {
  if (!tls) {
    const text = await (await fetch(relay.httpUrl('/metrics'))).text();
    return Number(text.match(/^parley_relay_unsent_bytes (\d+)$/m)?.[1] ?? Number.NaN);
  }
  return new Promise((resolve, reject) => {
    get(relay.httpUrl('/metrics'), { rejectUnauthorized: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(Number(text.match(/^parley_relay_unsent_bytes (\d+)$/m)?.[1] ?? Number.NaN)));
    }).on('error', reject);
  });
}

describe('stalled readers on a wss:// relay', () => {
  it('counts what a reader falls behind by, delivers it intact, and frees it all once it catches up', async () => {
    const relay = await startTlsRelay({ ...FAST, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const room = newRoomId();
    const sender = await relay.connect(OTHER);
    await sender.join(room);
    const reader = await relay.connect(TLS);
    await reader.join(room);
    expect(await unsentBytes(relay)).toBe(0);
    reader.pauseReading();
    const bodies: string[] = [];
    while (bodies.length < 1_000 && (await unsentBytes(relay)) === 0) {
      const body = randomBody(FULL_BODY_BYTES);
      bodies.push(body);
      await sender.chat(room, body);
    }
    expect(await unsentBytes(relay)).toBeGreaterThan(0);
    reader.resumeReading();
    for (const body of bodies) expect(await reader.next('CHATMSG')).toMatchObject({ body });
    await reader.barrier();
    expect(await unsentBytes(relay)).toBe(0);
  });

  it('cuts a reader that stops reading live fan-out with SLOW_CONSUMER 4009', async () => {
    const relay = await startTlsRelay({ ...FAST, maxBufferedKb: 256, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const room = newRoomId();
    const sender = await relay.connect(OTHER);
    await sender.join(room);
    const reader = await relay.connect(TLS);
    await reader.join(room);
    reader.pauseReading();
    let left: unknown;
    void sender.next('LEFT', 60_000).then((frame) => (left = frame));
    const big = randomBody(FULL_BODY_BYTES);
    for (let i = 0; i < 1_000 && left === undefined; i++) await sender.chat(room, big);
    expect(left).toMatchObject({ type: 'LEFT', room });
    reader.resumeReading();
    expect(await reader.closed).toEqual({ code: 4009, reason: 'SLOW_CONSUMER' });
  });

  // STALL_TIMEOUT_MS must still catch a reader that stops reading live fan-out, whose frames now go
  // straight to the stream and are counted only once they stay in it.
  it.each([{ scheme: 'wss', tls: true }, { scheme: 'ws', tls: false }])(
    'cuts a $scheme reader that stops reading live fan-out after STALL_TIMEOUT_MS with SLOW_CONSUMER 4009',
    async ({ tls }) => {
      const limits = { ...FAST, stallTimeoutMs: 500, idleTimeoutMs: 60_000 };
      const relay = tls ? await startTlsRelay(limits) : await startTestRelay(limits);
      const room = newRoomId();
      const sender = await relay.connect(tls ? OTHER : { localAddress: OTHER.localAddress });
      await sender.join(room);
      const reader = await relay.connect(tls ? TLS : {});
      await reader.join(room);
      reader.pauseReading();
      const big = randomBody(FULL_BODY_BYTES);
      // Fill the kernel's buffers until the relay holds some bytes itself, then send nothing more:
      // only the stall sweep can cut the reader now (its own bound is far off).
      for (let i = 0; i < 1_000 && (await unsentBytes(relay, tls)) === 0; i++) await sender.chat(room, big);
      expect(await unsentBytes(relay, tls)).toBeGreaterThan(0);
      expect(await sender.next('LEFT', 10_000)).toMatchObject({ type: 'LEFT', room });
      reader.resumeReading();
      expect(await reader.closed).toEqual({ code: 4009, reason: 'SLOW_CONSUMER' });
    },
  );
});
