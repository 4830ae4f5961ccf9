import { createHash } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLoggedRelay } from './relay.ts';

// docs/protocol.md, "HTTP endpoints": GET/HEAD /join, and the access records.
const CODE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01';

/** One raw HTTP/1.1 request, so the test controls the request line byte for byte. */
function rawGet(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('join page', () => {
  it('serves a static page without any script, under a strict CSP', async () => {
    const relay = await startLoggedRelay();
    const res = await fetch(relay.httpUrl('/join'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();

    // Nothing that runs: no script element, no event handler attribute, no javascript: URL.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    // Nothing from elsewhere: no src, no stylesheet or other link element, no url().
    expect(html).not.toMatch(/\ssrc\s*=|<link|url\(|@import/i);

    const csp = Object.fromEntries(
      (res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]),
    );
    expect(csp).toMatchObject({ 'default-src': "'none'", 'base-uri': "'none'", 'form-action': "'none'", 'frame-ancestors': "'none'" });
    expect(csp['script-src']).toBeUndefined();
    // The one style element is allowed by its hash, and nothing else is.
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    expect(csp['style-src']).toBe(`'sha256-${createHash('sha256').update(styles[0]!).digest('base64')}'`);

    expect(html).toMatch(/whole address/);
    expect(html).toMatch(/everything after <code>#<\/code>/);
    expect(html).toMatch(/Ask the person who invited you/);
  });

  it('links to INSTALL_URL when it is set', async () => {
    const relay = await startLoggedRelay({ installUrl: 'https://parley.example/get?a=1&b="2"' });
    const html = await (await fetch(relay.httpUrl('/join'))).text();
    expect(html).toContain('<a href="https://parley.example/get?a=1&amp;b=&quot;2&quot;" rel="noreferrer">');
    expect(html).not.toMatch(/Ask the person who invited you/);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const relay = await startLoggedRelay();
    const res = await fetch(relay.httpUrl('/join'), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await res.text()).toBe('');
    expect((await fetch(relay.httpUrl('/join'), { method: 'POST' })).status).toBe(405);
  });

  it('logs one access record per request, with the path only', async () => {
    const relay = await startLoggedRelay();
    expect((await fetch(relay.httpUrl(`/join?code=${CODE}`))).status).toBe(200);
    expect(await relay.logs.event('http_request')).toMatchObject({
      level: 'info', method: 'GET', path: '/join', status: 200, address: '127.0.0.1',
    });
    // A browser never sends the fragment; a raw client that does gets the page, and no record of it.
    expect(await rawGet(relay.port, `/join#${CODE}`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await relay.logs.event('http_request', 1)).toMatchObject({ method: 'GET', path: '/join', status: 200 });
    expect((await fetch(relay.httpUrl(`/nothing?${CODE}`))).status).toBe(404);
    expect(await relay.logs.event('http_request', 2)).toMatchObject({ method: 'GET', path: 'other', status: 404 });
    const compact = CODE.replaceAll('-', '');
    expect(relay.logs.text).not.toContain(compact.slice(0, 8));
    expect(relay.logs.text).not.toContain(CODE.slice(0, 9));
    expect(relay.logs.lines.filter((line) => line.event === 'http_request')).toHaveLength(3);
  });
});
