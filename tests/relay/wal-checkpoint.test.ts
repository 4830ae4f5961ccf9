import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newRoomId } from './client.ts';
import { startTestRelay } from './relay.ts';

// docs/protocol.md, "Retention and storage": the -wal file never stays over WAL_MAX_KB, and a clean
// stop leaves no -wal file behind.

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const walSize = (historyPath: string): number => (existsSync(`${historyPath}-wal`) ? statSync(`${historyPath}-wal`).size : 0);

/** Out of the way of a burst from one host; these tests are about the store. */
const UNLIMITED = {
  ratePerSec: 100_000, rateBurst: 100_000, rateKbPerSec: 1_000_000,
  addressRatePerSec: 100_000, addressRateBurst: 100_000, addressRateKbPerSec: 1_000_000,
  addressStoredKbPerDay: 1_000_000,
} as const;

describe('write-ahead log', () => {
  it('stays under WAL_MAX_KB through a write burst, and a clean stop removes it', async () => {
    const historyPath = join(tempDir(), 'relay.sqlite');
    const walMaxKb = 256;
    const relay = await startTestRelay({ historyPath, walMaxKb, ...UNLIMITED });
    const senders = await Promise.all(Array.from({ length: 4 }, () => relay.connect()));
    const rooms = senders.map(() => newRoomId());
    await Promise.all(senders.map((sender, i) => sender.join(rooms[i]!)));

    // Each sender waits for its ACK before the next message, so the burst is many small commits,
    // each adding pages to the log; together far more than the bound.
    let largest = 0;
    let acked = 0;
    await Promise.all(senders.map(async (sender, i) => {
      for (let n = 0; n < 200; n++) {
        await sender.chat(rooms[i]!, 'x'.repeat(2_000));
        acked++;
        largest = Math.max(largest, walSize(historyPath));
      }
    }));
    expect(acked).toBe(800);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(walMaxKb * 1024);

    await relay.close();
    expect(existsSync(`${historyPath}-wal`)).toBe(false);
  });
});
