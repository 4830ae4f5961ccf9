import { createHash } from 'node:crypto';

// The page an invite link opens (docs/protocol.md, "HTTP endpoints"). It has no script at all:
// the room code is in the fragment, and a page that cannot run code cannot read it or send it on.

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2330;background:#fff}',
  'h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}',
  'code{background:#eef1f6;padding:0 .25rem;border-radius:3px}a{color:#2456c7}',
  '@media (prefers-color-scheme:dark){body{color:#e4e8f0;background:#151922}code{background:#262c38}a{color:#8fb0ff}}',
].join('');

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const JOIN_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
});

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The whole page, built once per relay: it depends only on INSTALL_URL. */
export function joinPage(installUrl: string | null): string {
  const getIt = installUrl === null
    ? '<p>Ask the person who invited you how to install Parley, then open this link again.</p>'
    : `<p><a href="${escapeHtml(installUrl)}" rel="noreferrer">Get Parley here</a>, then open this link again.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Join a Parley room</title>
<style>${STYLE}</style>
</head>
<body>
<h1>You are invited to a Parley room</h1>
<p>Parley is a browser extension for private room chat with friends: messages are encrypted on your
computer, and this relay only passes on what it cannot read.</p>
<h2>If you have Parley</h2>
<p>Click the Parley icon in your browser's toolbar while this page is open: Parley offers to join
the room from this page's invite. (Or paste this page's <strong>whole address</strong> from the
address bar, including everything after <code>#</code>, into <strong>Join</strong>.)</p>
<h2>If you don't have it yet</h2>
${getIt}
<p>The part of the address after <code>#</code> is the room's secret code. Your browser never sent it
to this server, and this page has no script that could read it.</p>
</body>
</html>
`;
}
