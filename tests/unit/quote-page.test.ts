// The background's side of "Quote the page" (docs/protocol.md "A quoted passage"): what it asks
// the page's host script, what it sends, what it stores from others, and what it opens.
import { describe, expect, it, vi } from 'vitest';

const created: string[] = [];
vi.mock('webextension-polyfill', () => ({
  default: { tabs: { create: async ({ url }: { url: string }) => void created.push(url) } },
}));

const { quotePage, previewQuote } = await import('../../src/background/intents/quote-page.ts');
const { sendQuoteIntent } = await import('../../src/background/intents/send-quote.ts');
const { openQuote } = await import('../../src/background/intents/open-quote.ts');
const { onChatMessages } = await import('../../src/background/relay-frames/on-chat-message.ts');
const { backgroundFixture } = await import('./background-fixture.ts');
const { openMessage, sealMessage } = await import('../../src/shared/crypto.ts');
const { newMessageId } = await import('../../src/shared/message-id.ts');
import type { Runtime } from 'webextension-polyfill';
import type { ViewPort } from '../../src/background/context.ts';

const PAGE = 'https://news.example/story?id=7';

/** A host script's port that answers get-selection with `answer(requestId)` (undefined: never answers). */
function hostPort(answer: (requestId: number) => object | undefined, url = PAGE) {
  const listeners = new Set<(m: unknown) => void>();
  const gone = new Set<() => void>();
  const port = {
    sender: { url, tab: { id: 5 } },
    onMessage: { addListener: (f: (m: unknown) => void) => listeners.add(f), removeListener: (f: (m: unknown) => void) => listeners.delete(f) },
    onDisconnect: { addListener: (f: () => void) => gone.add(f), removeListener: (f: () => void) => gone.delete(f) },
    postMessage: (m: { type: string; requestId: number }) => {
      const reply = answer(m.requestId);
      if (reply) queueMicrotask(() => { for (const f of [...listeners]) f(reply); });
    },
    disconnect: () => { for (const f of [...gone]) f(); },
    listeners,
  };
  return port;
}

async function quoted(answer: (requestId: number) => object | undefined, view?: Partial<ViewPort>) {
  const f = await backgroundFixture();
  const port = hostPort(answer);
  f.bg.overlayHosts.set(5, port as unknown as Runtime.Port);
  const overlay = { ...f.view(), kind: 'overlay' as const, tabId: 5, ...view };
  const id = newMessageId();
  // quotePage (the handler) starts this without waiting (the page may take seconds); awaited here.
  await previewQuote(f.bg, { type: 'quote-page', roomId: f.keys.roomId, tabId: null, text: 'see this', id }, overlay as ViewPort);
  return { f, port, id, overlay: overlay as ViewPort };
}

describe('quote-page', () => {
  it('asks the overlay\'s own tab and shows the cleaned quote first: nothing is sent until "Send quote"', async () => {
    const { f, port, id, overlay } = await quoted((requestId) => ({ type: 'selection', requestId, text: '  the  passage\u0000 ', url: `${PAGE}#frag`, prefix: 'before', suffix: 'after' }));
    const cleaned = { text: 'the passage', url: PAGE, prefix: 'before', suffix: 'after' };
    expect(f.posted).toContainEqual({ type: 'quote-preview', roomId: f.keys.roomId, id, text: 'see this', quote: cleaned });
    await f.settled();
    expect(await f.bg.db.get('messages', [f.keys.roomId, id])).toBeUndefined();
    expect(await f.bg.db.get('outbox', [f.keys.roomId, id])).toBeUndefined();
    expect(port.listeners.size).toBe(0); // its answer listener is gone

    await sendQuoteIntent(f.bg, { type: 'send-quote', roomId: f.keys.roomId, id }, overlay);
    await f.settled();
    const line = await f.bg.db.get('messages', [f.keys.roomId, id]);
    expect(line?.quote).toEqual(cleaned);
    expect(line?.text).toBe('see this');
    expect(line?.sender?.verified).toBe(true);
    const out = await f.bg.db.get('outbox', [f.keys.roomId, id]);
    const opened = await openMessage(f.keys, f.keys.roomId, id, out!.body);
    expect(opened.ok && opened.value.quote).toEqual(line?.quote);
  });

  it('sends a preview once, only in its own room; any other send-quote says so in words and sends nothing', async () => {
    const { f, id, overlay } = await quoted((requestId) => ({ type: 'selection', requestId, text: 'the passage', url: PAGE, prefix: '', suffix: '' }));
    const gone = { type: 'error', code: 'NO_SELECTION', message: 'That quote is no longer waiting to be sent. Select the text and press "Quote selection" again.' };
    await sendQuoteIntent(f.bg, { type: 'send-quote', roomId: 'another-room', id }, overlay);
    expect(f.posted.at(-1)).toEqual(gone);
    await sendQuoteIntent(f.bg, { type: 'send-quote', roomId: f.keys.roomId, id: newMessageId() }, overlay);
    expect(f.posted.at(-1)).toEqual(gone);
    expect(await f.bg.db.get('outbox', [f.keys.roomId, id])).toBeUndefined();
    await sendQuoteIntent(f.bg, { type: 'send-quote', roomId: f.keys.roomId, id }, overlay);
    await sendQuoteIntent(f.bg, { type: 'send-quote', roomId: f.keys.roomId, id }, overlay);
    expect(f.posted.at(-1)).toEqual(gone);
    expect(await f.bg.db.get('outbox', [f.keys.roomId, id])).toBeDefined();
  });

  it('the handler returns before the page answers (the serial queue is not held)', async () => {
    const f = await backgroundFixture();
    f.bg.overlayHosts.set(5, hostPort(() => undefined) as unknown as Runtime.Port);
    const view = { ...f.view(), kind: 'overlay' as const, tabId: 5 } as ViewPort;
    await quotePage(f.bg, { type: 'quote-page', roomId: f.keys.roomId, tabId: null, text: '', id: newMessageId() }, view);
    expect(f.posted.filter((m) => m.type === 'error' || m.type === 'quote-preview')).toEqual([]);
  });

  it('says "Select some text on the page first" when nothing is selected, and sends nothing', async () => {
    const { f, id } = await quoted((requestId) => ({ type: 'selection', requestId, text: ' \n ', url: PAGE, prefix: '', suffix: '' }));
    expect(f.posted).toContainEqual({ type: 'error', code: 'NO_SELECTION', message: 'Select some text on the page first' });
    expect(await f.bg.db.get('messages', [f.keys.roomId, id])).toBeUndefined();
  });

  it('ignores an answer to another request or of the wrong shape, and says so when the page goes away', async () => {
    const f = await backgroundFixture();
    const port = hostPort((requestId) => ({ type: 'selection', requestId: requestId + 1, text: 'x', url: PAGE, prefix: '', suffix: '' }));
    f.bg.overlayHosts.set(5, port as unknown as Runtime.Port);
    const id = newMessageId();
    const asked = previewQuote(f.bg, { type: 'quote-page', roomId: f.keys.roomId, tabId: null, text: '', id }, { ...f.view(), kind: 'overlay', tabId: 5 } as ViewPort);
    for (const f2 of [...port.listeners]) f2({ type: 'selection', requestId: 1, text: 7, url: PAGE, prefix: '', suffix: '' });
    await Promise.resolve(); // the wrong answer (a microtask away) has arrived and been ignored
    port.disconnect();
    await asked;
    expect(f.posted).toContainEqual({ type: 'error', code: 'NO_PAGE', message: 'The page did not answer. Reload it and open Parley on it again.' });
    expect(await f.bg.db.get('messages', [f.keys.roomId, id])).toBeUndefined();
  });

  it('refuses a page on another origin than the one the browser recorded for the host script', async () => {
    const { f } = await quoted((requestId) => ({ type: 'selection', requestId, text: 'x', url: 'https://evil.example/', prefix: '', suffix: '' }));
    expect(f.posted).toContainEqual({ type: 'error', code: 'NO_PAGE', message: 'Parley cannot quote this page.' });
  });

  it('from the popup, quotes only a tab whose overlay is open', async () => {
    const f = await backgroundFixture();
    await quotePage(f.bg, { type: 'quote-page', roomId: f.keys.roomId, tabId: 9, text: '', id: newMessageId() }, f.view());
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'NO_PAGE' });
  });
});

describe('a quote received and opened', () => {
  it('is stored with its line from a replay (the batch path), and opens at the passage, http(s) only', async () => {
    const f = await backgroundFixture();
    const frames = [];
    const quote = { text: 'forty-two ships', url: PAGE, prefix: 'counted', suffix: 'before dawn' };
    for (const [seq, q] of [[1, quote], [2, { ...quote, url: 'javascript:alert(1)' }]] as const) {
      const id = newMessageId();
      const body = await sealMessage(f.keys, id, { v: 1, text: '', nick: 'Peer', sentAt: 1, quote: q });
      if (!body.ok) throw new Error('seal');
      frames.push({ type: 'CHATMSG' as const, room: f.keys.roomId, id, body: body.value, from: 'p0000000000000000', seq, at: 2 });
    }
    await onChatMessages(f.bg, f.link, frames);
    const line = await f.bg.db.get('messages', [f.keys.roomId, frames[0]!.id]);
    expect(line?.quote).toEqual(quote);
    // A javascript: address does not open as a body at all (the sealed schema: http(s) only).
    expect((await f.bg.db.get('messages', [f.keys.roomId, frames[1]!.id]))?.quote).toBeUndefined();
    await openQuote(f.bg, { type: 'open-quote', roomId: f.keys.roomId, id: frames[0]!.id }, f.view());
    expect(created).toEqual(['https://news.example/story?id=7#:~:text=counted-,forty%2Dtwo%20ships,-before%20dawn']);
    await openQuote(f.bg, { type: 'open-quote', roomId: f.keys.roomId, id: frames[1]!.id }, f.view());
    expect(created).toHaveLength(1);
  });

  it('says in words when it opens nothing: a line gone, or a stored address it does not open', async () => {
    const f = await backgroundFixture();
    created.length = 0;
    await openQuote(f.bg, { type: 'open-quote', roomId: f.keys.roomId, id: newMessageId() }, f.view());
    expect(f.posted.at(-1)).toEqual({ type: 'error', code: 'NO_PAGE', message: 'That quote is no longer here.' });
    // A copy stored by an older version, whose address this version does not open.
    const id = newMessageId();
    await f.bg.db.put('messages', {
      roomId: f.keys.roomId, id, kind: 'message', seq: 1, order: 1, mine: false, nick: 'Peer', text: '', sentAt: 1, status: 'received',
      quote: { text: 'x', url: 'javascript:alert(1)', prefix: '', suffix: '' },
    });
    await openQuote(f.bg, { type: 'open-quote', roomId: f.keys.roomId, id }, f.view());
    expect(f.posted.at(-1)).toEqual({ type: 'error', code: 'NO_PAGE', message: "Parley cannot open this quote's page." });
    expect(created).toEqual([]);
  });
});
