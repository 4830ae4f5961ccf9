import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An ordinary web page on loopback for the overlay to open on; `script` plays a hostile page. */
export async function startPageServer(script = ''): Promise<{ url: string; close: () => Promise<void> }> {
  const html = `<!doctype html><html><head><title>A page</title></head><body>
<h1>An article about something</h1><p>Some text a person is reading.</p>
${script ? `<script>${script}</script>` : ''}</body></html>`;
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * An article on loopback under any path, titled `title`: for page rooms, reached under a host name
 * the test maps to 127.0.0.1 (--host-resolver-rules), so its host is a marker too.
 */
export async function startArticleServer(title: string): Promise<{ port: number; close: () => Promise<void> }> {
  const html = `<!doctype html><html><head><title>${title}</title></head><body>
<h1>${title}</h1><p>An article two people are reading at the same time.</p></body></html>`;
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
