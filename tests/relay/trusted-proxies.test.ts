import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { TestClient, newRoomId } from './client.ts';
import { startLoggedRelay } from './relay.ts';

// docs/protocol.md, "Handshake policies": TRUSTED_PROXIES and X-Forwarded-For. The clients connect
// from 127.0.0.1 over real sockets; the header is what a proxy (or a forger) would send.
const forwarded = (xff: string) => ({ headers: { 'x-forwarded-for': xff } });

/** A raw request with these header lines exactly, so one header can be given several times. */
function rawRequest(port: number, headerLines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n'));
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

async function admitted(client: TestClient): Promise<void> {
  await client.join(newRoomId());
}

describe('TRUSTED_PROXIES', () => {
  it.each([
    ['empty', []],
    ['listing another address', ['127.0.0.2', '::1']],
  ])('ignores a forged X-Forwarded-For from a peer not listed (%s)', async (_, trustedProxies) => {
    const relay = await startLoggedRelay({ trustedProxies, maxConnectionsPerAddress: 1 });
    await admitted(await relay.connect(forwarded('203.0.113.1')));
    const second = await relay.connect(forwarded('203.0.113.2'));
    expect(await second.closed).toEqual({ code: 4029, reason: 'TOO_MANY_CONNECTIONS' });

    await fetch(relay.httpUrl('/healthz'), forwarded('203.0.113.3'));
    expect(await relay.logs.event('http_request')).toMatchObject({ path: '/healthz', address: '127.0.0.1' });
  });

  it('takes the last X-Forwarded-For entry as the client from a listed proxy', async () => {
    const relay = await startLoggedRelay({ trustedProxies: ['127.0.0.1'], maxConnectionsPerAddress: 1 });
    // The first entry is the client's own claim and is never read; the last is the proxy's.
    const a = await relay.connect(forwarded('203.0.113.2, 203.0.113.1'));
    await admitted(a);
    await admitted(await relay.connect(forwarded('203.0.113.1, 203.0.113.2')));
    const againA = await relay.connect(forwarded('198.51.100.7,203.0.113.1'));
    expect(await againA.closed).toEqual({ code: 4029, reason: 'TOO_MANY_CONNECTIONS' });
    // An IPv6 client counts as its /64.
    await admitted(await relay.connect(forwarded('2001:db8:1:2::5')));
    const sameSlash64 = await relay.connect(forwarded('2001:db8:1:2::6'));
    expect(await sameSlash64.closed).toEqual({ code: 4029, reason: 'TOO_MANY_CONNECTIONS' });

    await fetch(relay.httpUrl('/healthz'), forwarded('10.0.0.1, 203.0.113.9'));
    expect(await relay.logs.event('http_request')).toMatchObject({ path: '/healthz', address: '203.0.113.9' });
    // A last entry that is not an address names nobody: the proxy's own address is used.
    await fetch(relay.httpUrl('/healthz'), forwarded('203.0.113.9, unknown'));
    expect(await relay.logs.event('http_request', 1)).toMatchObject({ address: '127.0.0.1' });
  });

  it('reads several X-Forwarded-For headers as one list, joined in order', async () => {
    const relay = await startLoggedRelay({ trustedProxies: ['127.0.0.1'] });
    const twice = ['X-Forwarded-For: 203.0.113.7, 10.0.0.1', 'X-Forwarded-For: 198.51.100.9'];
    expect(await rawRequest(relay.port, twice)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await relay.logs.event('http_request')).toMatchObject({ path: '/healthz', address: '198.51.100.9' });
    // The last entry of the joined list is the proxy's, even when it is not an address.
    const badLast = ['X-Forwarded-For: 198.51.100.9', 'X-Forwarded-For: unknown'];
    expect(await rawRequest(relay.port, badLast)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await relay.logs.event('http_request', 1)).toMatchObject({ address: '127.0.0.1' });
  });

  it('charges the connect burst to the forwarded client, not to the proxy', async () => {
    const through = await startLoggedRelay({ trustedProxies: ['127.0.0.1'], addressConnectBurst: 1, addressConnectsPerMin: 1 });
    await admitted(await through.connect(forwarded('203.0.113.1')));
    await admitted(await through.connect(forwarded('203.0.113.2')));
    const tooFast = await through.connect(forwarded('203.0.113.1'));
    expect(await tooFast.closed).toEqual({ code: 4030, reason: 'CONNECTING_TOO_FAST' });

    const direct = await startLoggedRelay({ addressConnectBurst: 1, addressConnectsPerMin: 1 });
    await admitted(await direct.connect(forwarded('203.0.113.1')));
    const forged = await direct.connect(forwarded('203.0.113.2'));
    expect(await forged.closed).toEqual({ code: 4030, reason: 'CONNECTING_TOO_FAST' });
  });
});
