import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestCa, type TestCa, type TestLeaf } from '../tls/test-ca.ts';
import { TestClient, newRoomId, randomBody } from './client.ts';
import { startLoggedRelay } from './relay.ts';

// docs/protocol.md, "TLS renewal". The relay's files are laid out as certbot lays out its own:
// the configured paths go through a symbolic link that is re-pointed at new files.
const HOST = 'relay-one.test';

function certbotLayout(ca: TestCa) {
  const root = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  let version = 0;
  /** Makes `archive/N/{cert,key}.pem` from these files and atomically points `live` at it. */
  const install = (cert: string, key: string): void => {
    const dir = join(root, 'archive', String(++version));
    mkdirSync(dir, { recursive: true });
    copyFileSync(cert, join(dir, 'cert.pem'));
    copyFileSync(key, join(dir, 'key.pem'));
    const link = join(root, `live.${version}`);
    symlinkSync(dir, link);
    renameSync(link, join(root, 'live'));
  };
  const first = ca.issue([HOST]);
  install(first.cert, first.key);
  return { first, install, cert: join(root, 'live', 'cert.pem'), key: join(root, 'live', 'key.pem') };
}

/** The serial of the certificate a new TLS connection is shown, trusting only the test CA. */
function serialSeen(port: number, ca: TestCa): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: HOST, ca: ca.pem }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

async function chat(from: TestClient, to: TestClient, room: string): Promise<void> {
  const body = randomBody();
  await from.chat(room, body);
  expect((await to.next('CHATMSG')).body).toBe(body);
}

describe('TLS renewal', () => {
  it('serves a replaced certificate to new connections while open ones carry on; a broken pair keeps the old', async () => {
    const ca = createTestCa();
    onTestFinished(() => ca.remove());
    const files = certbotLayout(ca);
    const relay = await startLoggedRelay({ tlsCert: files.cert, tlsKey: files.key, tlsReloadMs: 20 });
    const trustTestCa = { ca: ca.pem, servername: HOST };
    const room = newRoomId();
    const before = await relay.connect(trustTestCa);
    await before.join(room);
    expect(await serialSeen(relay.port, ca)).toBe(files.first.serial);

    const second: TestLeaf = ca.issue([HOST]);
    files.install(second.cert, second.key);
    expect(await relay.logs.event('tls_reloaded')).toMatchObject({ level: 'info', reason: 'changed', serial: second.serial });
    expect(await serialSeen(relay.port, ca)).toBe(second.serial);
    const after = await relay.connect(trustTestCa);
    await after.join(room);
    await chat(before, after, room);
    await chat(after, before, room);

    // A certificate with another certificate's key, as between two writes of a renewal.
    const third = ca.issue([HOST]);
    files.install(third.cert, second.key);
    expect(await relay.logs.event('tls_reload_failed')).toMatchObject({ level: 'error', reason: 'changed' });
    expect(await serialSeen(relay.port, ca)).toBe(second.serial);
    const stillSecond = await relay.connect(trustTestCa);
    const room2 = newRoomId();
    await before.join(room2);
    await stillSecond.join(room2);
    await chat(before, stillSecond, room2);
    expect(relay.logs.lines.filter((line) => line.event === 'tls_reloaded')).toHaveLength(1);
  });

  it('reloads on demand (what SIGHUP calls), without waiting for the poll', async () => {
    const ca = createTestCa();
    onTestFinished(() => ca.remove());
    const files = certbotLayout(ca);
    const relay = await startLoggedRelay({ tlsCert: files.cert, tlsKey: files.key, tlsReloadMs: 3_600_000 });
    const next = ca.issue([HOST]);
    files.install(next.cert, next.key);
    relay.reloadTls();
    expect(await relay.logs.event('tls_reloaded')).toMatchObject({ reason: 'signal', serial: next.serial });
    expect(await serialSeen(relay.port, ca)).toBe(next.serial);
  });

  it('refuses to start on a key that does not match the certificate', async () => {
    const ca = createTestCa();
    onTestFinished(() => ca.remove());
    const [a, b] = [ca.issue([HOST]), ca.issue([HOST])];
    await expect(startLoggedRelay({ tlsCert: a.cert, tlsKey: b.key })).rejects.toThrow(/^TLS_CERT\/TLS_KEY: cannot use /);
  });
});
