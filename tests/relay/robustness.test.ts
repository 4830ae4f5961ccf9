import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newRoomId } from './client.ts';
import { startTestRelay } from './relay.ts';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-relay-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('robustness', () => {
  it('answers INTERNAL when the store fails under a handler, and the connection lives on', async () => {
    const historyPath = join(tempDir(), 'relay.sqlite');
    const relay = await startTestRelay({ historyPath });
    const alice = await relay.connect();
    const room = newRoomId();
    await alice.join(room);

    // Another process wrecking the database is the kind of failure no handler expects.
    const db = new Database(historyPath);
    db.exec('DROP TABLE messages');
    db.close();

    alice.send({ type: 'CHATMSG', room, id: '01J00000000000000000000000', body: 'abc' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'INTERNAL', ref: 'CHATMSG', room });
    await alice.barrier();
  });

  it('shrugs off deeply nested JSON', async () => {
    const relay = await startTestRelay();
    const alice = await relay.connect();
    // Just under the default frame limit, so the parser, not the size check, meets it.
    alice.sendRaw(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    expect(await alice.next('ERROR')).toMatchObject({ code: 'BAD_FRAME' });
    alice.sendRaw(`{"type":"GETROOM","room":${'{"a":'.repeat(7_000)}1${'}'.repeat(7_000)}}`);
    expect(await alice.next('ERROR')).toMatchObject({ code: 'BAD_FRAME', ref: 'GETROOM' });
    await alice.barrier();
  });

  it('serves wss when TLS_CERT and TLS_KEY are set', async () => {
    const dir = tempDir();
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    const relay = await startTestRelay({ tlsCert: cert, tlsKey: key });
    expect(relay.url).toMatch(/^wss:\/\//);
    const alice = await relay.connect({ rejectUnauthorized: false });
    await alice.join(newRoomId());
  });
});
