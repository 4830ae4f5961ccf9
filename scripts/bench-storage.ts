// What one address can make the relay store: the bound the default limits imply, and a measured
// figure from clients on one address (127.0.0.1) storing full-size messages as fast as the relay
// lets them, extrapolated to a day, plus how much the SQLite file grew on disk. The relay runs as
// its own process at its defaults, with a file store in a temporary folder. Prints figures,
// asserts nothing.
//
// Env: BENCH_STORAGE_SECONDS (60: the flood stops at the first DAILY_QUOTA or then), BENCH_STORAGE_CONNECTIONS (16, of MAX_CONNECTIONS_PER_ADDRESS).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../relay/config.ts';
import { MESSAGE_OVERHEAD_BYTES } from '../relay/history-store.ts';
import { MAX_BODY_CHARS } from '../src/shared/constants.ts';
import { newMessageId } from '../src/shared/message-id.ts';
import { fmt, spawnRelay, WireClient } from './bench-lib.ts';

const SECONDS = envInt('BENCH_STORAGE_SECONDS', 60);
const CONNECTIONS = Math.min(envInt('BENCH_STORAGE_CONNECTIONS', 16), DEFAULT_CONFIG.maxConnectionsPerAddress);
/** Messages each connection keeps on the wire, like the extension's outbox window (smaller). */
const WINDOW = 4;
const DAY_S = 86_400;
const MIB = 1024 * 1024;
const FULL_SIZE = MAX_BODY_CHARS + MESSAGE_OVERHEAD_BYTES;

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const newRoomId = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
const mib = (bytes: number): string => `${fmt(bytes / MIB)} MiB`;
const dirBytes = (dir: string): number => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

async function metric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'))?.[1]);
}

function printBound(): void {
  const c = DEFAULT_CONFIG;
  const dayQuota = c.addressStoredKbPerDay * 1024;
  const rateCeiling = Math.min(c.maxConnectionsPerAddress * c.rateKbPerSec, c.addressRateKbPerSec) * 1024 * DAY_S;
  const retainedDays = c.historyMaxAgeMs / (DAY_S * 1000);
  console.log('bound at the defaults (docs/protocol.md, "Storage quotas"):');
  console.log(`  rate limits alone (ADDRESS_RATE_KB_PER_SEC ${c.addressRateKbPerSec} KB/s) would let one address write ${fmt(rateCeiling / 1e9)} GB/day`);
  console.log(`  bytes stored per address per day: ${mib(dayQuota)} on average (ADDRESS_STORED_KB_PER_DAY), at most ${mib(2 * dayQuota)} in any 24 h`);
  console.log(`  retained per address: at most ${mib(dayQuota * (retainedDays + 1))} (${retainedDays} days of history + 1), and never more than STORE_MAX_KB = ${mib(c.storeMaxKb * 1024)} in all`);
  console.log(`  rooms created per address: ${c.addressRoomsPerHour}/hour; per room at most ${mib(c.roomMaxStoredKb * 1024)} retained`);
}

async function main(): Promise<void> {
  printBound();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-storage-'));
  const relay = await spawnRelay({ HISTORY_PATH: join(dir, 'relay.sqlite') });
  const clients: WireClient[] = [];
  try {
    const diskBefore = dirBytes(dir);
    const body = 'A'.repeat(MAX_BODY_CHARS);
    let acked = 0;
    let refused = 0;
    let otherErrors = 0;
    let firstRefusalS = Number.NaN;
    let running = true;
    const starters: (() => void)[] = [];
    const started = performance.now();
    for (let i = 0; i < CONNECTIONS; i++) {
      const client = await WireClient.connect(relay.url);
      const room = newRoomId();
      await client.join(room);
      const sendOne = () => {
        if (running) client.send({ type: 'CHATMSG', room, id: newMessageId(), body });
      };
      client.onFrame = (frame) => {
        if (frame.type === 'ACK') acked++;
        else if (frame.type === 'ERROR' && frame.code === 'DAILY_QUOTA') {
          refused++;
          if (Number.isNaN(firstRefusalS)) firstRefusalS = (performance.now() - started) / 1000;
        } else if (frame.type === 'ERROR') otherErrors++;
        else return false;
        sendOne();
        return true;
      };
      clients.push(client);
      starters.push(sendOne);
    }
    const floodStart = performance.now();
    for (const start of starters) for (let w = 0; w < WINDOW; w++) start();
    // Until the quota refuses (that is the day's worth), or SECONDS at most.
    const deadline = performance.now() + SECONDS * 1000;
    while (refused === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    running = false;
    const elapsedS = (performance.now() - floodStart) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last acks
    const storedBytes = await metric(relay.httpUrl, 'parley_relay_stored_bytes');
    const storedMessages = await metric(relay.httpUrl, 'parley_relay_stored_messages');
    const accepted = acked * FULL_SIZE;
    const rate = accepted / elapsedS;
    const quotaHit = refused > 0;
    // Once refused, the address stays refused until its oldest hour leaves the day's window: what
    // it stored is its day's worth. Otherwise the measured rate would go on all day.
    const perDay = quotaHit ? accepted : rate * DAY_S;
    console.log(`\nmeasured: ${CONNECTIONS} connections from one address, full-size messages (${FULL_SIZE} bytes stored each), ${fmt(elapsedS)} s`);
    console.log(`  stored ${acked} messages = ${mib(accepted)} at ${fmt(rate / MIB, 2)} MiB/s; DAILY_QUOTA refusals ${refused}${quotaHit ? ` (first after ${fmt(firstRefusalS)} s)` : ''}; other errors ${otherErrors}`);
    console.log(`  bytes stored per address per day, extrapolated: ${mib(perDay)}${quotaHit ? ' (quota reached: the rest of the day is refused)' : ' (rate x 24 h; the quota was not reached in this run)'}`);
    console.log(`  relay store now: ${storedMessages} messages, ${mib(storedBytes)} (parley_relay_stored_bytes)`);
    const diskAfter = dirBytes(dir);
    console.log(`  store growth on disk (SQLite file + WAL): ${mib(diskAfter - diskBefore)}, ${fmt((diskAfter - diskBefore) / Math.max(1, storedBytes), 2)} bytes on disk per stored byte`);

    // Rooms: one address asking for new rooms as fast as it can.
    const creator = await WireClient.connect(relay.url);
    let created = 0;
    let tooMany = 0;
    let answered: ((outcome: string) => void) | undefined;
    creator.onFrame = (frame) => {
      if (frame.type === 'SYNCED') answered?.('created');
      else if (frame.type === 'ERROR') answered?.(frame.code);
      return true;
    };
    for (let i = 0; i < DEFAULT_CONFIG.addressRoomsPerHour + 20; i++) {
      const room = newRoomId();
      const outcome = new Promise<string>((resolve) => (answered = resolve));
      creator.send({ type: 'GETROOM', room });
      const answer = await outcome;
      if (answer === 'created') {
        created++;
        creator.send({ type: 'LEAVE', room }); // stays under MAX_ROOMS_PER_CONNECTION
      } else if (answer === 'TOO_MANY_NEW_ROOMS') tooMany++;
    }
    console.log(`  rooms: ${created} more created, ${tooMany} refused with TOO_MANY_NEW_ROOMS (of ${DEFAULT_CONFIG.addressRoomsPerHour + 20} asked; the ${CONNECTIONS} connections above created one each)`);
    creator.close();
  } finally {
    for (const client of clients) client.close();
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
