import { randomUUID } from 'node:crypto';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverlayView } from './overlay.ts';
import { startPageServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Bob opens the overlay on a page whose own script is hostile: before the overlay exists it hooks
// the DOM APIs the overlay might use, watches every mutation and window message, probes the
// extension, and later forges events at the overlay. The page must learn nothing of the chat and
// inject nothing into it.

const marker = (what: string) => `${what}-${randomUUID().slice(0, 8)}-mark`;
const ALICE_NICK = marker('nick');
const FROM_ALICE = marker('alice-text');
const FROM_BOB_POPUP = marker('bob-text');
const TYPED_IN_OVERLAY = marker('typed');
const INJECTED = 'INJECTED-BY-PAGE';

/** The hostile page's script, run in the page's own (main) world as it loads. */
const hostileScript = (extensionId: string) => `
(() => {
  const spy = window.__spy = { log: [], roots: [], attachShadowCalls: 0, messages: [], runtime: [], hosts: [], keys: '' };
  const note = (what, value) => {
    try { spy.log.push(what + ': ' + (typeof value === 'string' ? value : JSON.stringify(value))); }
    catch { spy.log.push(what + ': <unserializable>'); }
  };
  const safe = (data) => { try { return JSON.stringify(data); } catch { return String(data); } };

  // Listeners of its own first (window messages, keystrokes), then the hooks.
  window.addEventListener('message', (e) => spy.messages.push({ origin: e.origin, data: safe(e.data) }), true);
  window.addEventListener('keydown', (e) => { if (e.key.length === 1) spy.keys += e.key; }, true);
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        note('added', n.nodeName + ' ' + (n.textContent || ''));
        if (n.nodeName === 'PARLEY-OVERLAY') {
          spy.hosts.push({ shadowRoot: n.shadowRoot === null ? null : 'VISIBLE', text: n.textContent, html: n.innerHTML });
        }
      }
      if (r.type === 'characterData') note('characterData', r.target.data);
    }
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true, attributes: true });

  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    spy.attachShadowCalls++;
    const root = attach.call(this, init);
    spy.roots.push(root);
    note('attachShadow', init);
    return root;
  };
  const wrap = (proto, name) => {
    const orig = proto[name];
    proto[name] = function (...args) {
      for (const a of args) note(name, a && typeof a === 'object' ? (a.nodeName || '') + ' ' + (a.textContent || '') : String(a));
      return orig.apply(this, args);
    };
  };
  for (const [proto, name] of [[Node.prototype, 'appendChild'], [Node.prototype, 'insertBefore'], [Node.prototype, 'replaceChild'],
    [Element.prototype, 'append'], [Element.prototype, 'prepend'], [DocumentFragment.prototype, 'append'],
    [Document.prototype, 'createElement'], [Document.prototype, 'createTextNode'],
    [HTMLElement.prototype, 'focus']]) wrap(proto, name);
  for (const [proto, prop] of [[Node.prototype, 'textContent'], [CharacterData.prototype, 'data'], [Node.prototype, 'nodeValue'],
    [HTMLTextAreaElement.prototype, 'value'], [Element.prototype, 'innerHTML']]) {
    const d = Object.getOwnPropertyDescriptor(proto, prop);
    Object.defineProperty(proto, prop, { ...d, set(v) { note(prop + '=', String(v)); return d.set.call(this, v); } });
  }

  window.__probeExtension = async () => {
    const rt = window.chrome && window.chrome.runtime;
    spy.runtime.push('chrome.runtime: ' + typeof rt);
    if (rt && rt.sendMessage) {
      try {
        await new Promise((done) => rt.sendMessage(${JSON.stringify(extensionId)}, { type: 'send-message', text: '${INJECTED}' }, (reply) => {
          spy.runtime.push('sendMessage reply: ' + safe(reply) + ' / ' + (chrome.runtime.lastError && chrome.runtime.lastError.message));
          done();
        }));
      } catch (e) { spy.runtime.push('sendMessage threw: ' + e.message); }
      try {
        const port = rt.connect(${JSON.stringify(extensionId)}, { name: 'parley-overlay' });
        port.onMessage.addListener((m) => spy.runtime.push('port message: ' + safe(m)));
        port.postMessage({ type: 'send-message', text: '${INJECTED}' });
      } catch (e) { spy.runtime.push('connect threw: ' + e.message); }
    }
    for (const path of ['src/popup/index.html', 'manifest.json', 'src/overlay/index.html']) {
      try {
        const res = await fetch('chrome-extension://${extensionId}/' + path);
        spy.runtime.push('fetched ' + path + ': ' + res.status + ' ' + (await res.text()).slice(0, 200));
      } catch (e) { spy.runtime.push('fetch failed: ' + path); }
    }
    return spy.runtime;
  };

  window.__read = () => {
    const host = document.querySelector('parley-overlay');
    note('host.shadowRoot', String(host.shadowRoot));
    try { attach.call(host, { mode: 'open' }); note('second attachShadow', 'allowed'); } catch (e) { note('second attachShadow', e.name); }
    note('getHTML', host.getHTML ? host.getHTML({ serializableShadowRoots: true }) : 'n/a');
    note('innerText', document.documentElement.innerText);
    note('textContent', document.documentElement.textContent);
    note('outerHTML', document.documentElement.outerHTML);
    note('chrome.dom', typeof (window.chrome && window.chrome.dom));
    const sel = getSelection();
    sel.selectAllChildren(document.documentElement);
    note('selection', sel.toString());
    sel.removeAllRanges();
    const range = document.createRange();
    range.selectNodeContents(document.documentElement);
    note('range', range.toString());
    for (const [x, y] of [[innerWidth - 100, innerHeight - 100], [innerWidth - 60, innerHeight - 40]]) {
      const el = document.elementFromPoint(x, y);
      note('elementFromPoint', el && el.nodeName + ' ' + el.textContent);
    }
    return { shadowRoot: host.shadowRoot, hostText: host.textContent };
  };

  window.__forge = () => {
    const host = document.querySelector('parley-overlay');
    host.focus();
    const targets = [host, document.activeElement, document, window];
    for (const t of targets) {
      t.dispatchEvent(new InputEvent('beforeinput', { data: '${INJECTED}', inputType: 'insertText', bubbles: true, composed: true, cancelable: true }));
      t.dispatchEvent(new InputEvent('input', { data: '${INJECTED}', inputType: 'insertText', bubbles: true, composed: true }));
      for (const type of ['keydown', 'keypress', 'keyup']) {
        t.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, composed: true, cancelable: true }));
      }
      const clip = new DataTransfer();
      clip.setData('text/plain', '${INJECTED}');
      t.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clip, bubbles: true, composed: true, cancelable: true }));
      t.dispatchEvent(new SubmitEvent('submit', { bubbles: true, composed: true, cancelable: true }));
      t.dispatchEvent(new CustomEvent('send-message', { detail: { type: 'send-message', text: '${INJECTED}' }, bubbles: true, composed: true }));
    }
    // A click where the overlay's Send button is drawn lands on the host, never inside it.
    const x = innerWidth - 40, y = innerHeight - 40;
    const hit = document.elementFromPoint(x, y);
    for (const type of ['mousedown', 'mouseup', 'click']) hit.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, composed: true }));
    window.postMessage({ type: 'send-message', text: '${INJECTED}' }, '*');
    return hit.nodeName;
  };
})();
`;

let relay: RelayProcess;
let pageServer: Awaited<ReturnType<typeof startPageServer>>;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let page: Page;
let overlay: OverlayView;
let chat: Frame;

interface Spy {
  log: string[]; roots: unknown[]; attachShadowCalls: number; messages: Array<{ origin: string; data: string }>;
  runtime: string[]; hosts: Array<{ shadowRoot: null | string; text: string; html: string }>; keys: string;
}
const spy = () => page.evaluate(() => (window as unknown as { __spy: Spy }).__spy);

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, bob] = await Promise.all([new Profile('hostile-alice').launch(), new Profile('hostile-bob').launch()]);
  // The page knows Bob's extension id: ids are public.
  pageServer = await startPageServer(hostileScript(bob.extensionId));
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings(ALICE_NICK, relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
  await bobPopup.joinRoom(await alicePopup.createRoom());

  page = await bob.ctx.newPage();
  await page.goto(pageServer.url);
  expect(await page.evaluate(() => typeof (window as unknown as { __spy?: unknown }).__spy)).toBe('object');
  overlay = await bob.openOverlayFromToolbar(page);
  chat = overlay.frame!;

  await alicePopup.send(FROM_ALICE);
  // Stored before Bob answers, so the relay stamps it first: the order asserted below is then one
  // the protocol promises, not a race between two browsers.
  await alicePopup.waitForMessage(FROM_ALICE, 'sent');
  await bobPopup.send(FROM_BOB_POPUP);
  await overlay.waitForMessages((m) => m.includes(FROM_ALICE) && m.includes(FROM_BOB_POPUP));
  // The overlay really shows the markers, nickname included, so the page had its chance to see them.
  await chat.getByText(ALICE_NICK).first().waitFor();
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
  await pageServer?.close();
});

describe('a hostile page with the overlay open', () => {
  it('cannot reach into the closed shadow root, even with DOM hooks installed before the overlay', async () => {
    const read = await page.evaluate(() => (window as unknown as { __read: () => unknown }).__read());
    expect(read).toEqual({ shadowRoot: null, hostText: '' });
    const seen = await spy();
    // The overlay's code runs in the extension's isolated world: the page's hooked prototypes
    // never saw it create, attach, fill or listen to anything.
    expect(seen.attachShadowCalls).toBe(0);
    expect(seen.roots).toEqual([]);
    expect(seen.hosts).toEqual([{ shadowRoot: null, text: '', html: '' }]);
    expect(seen.log.filter((l) => /^(attachShadow|createElement|createTextNode|addEventListener|append|appendChild|textContent=|data=|value=|innerHTML=)/.test(l))).toEqual([]);
    expect(seen.log).toContain('second attachShadow: NotSupportedError');
    const everything = JSON.stringify(seen);
    for (const m of [ALICE_NICK, FROM_ALICE, FROM_BOB_POPUP]) expect(everything).not.toContain(m);
  });

  it('receives no chat text through window messages', async () => {
    const { messages } = await spy();
    for (const m of [ALICE_NICK, FROM_ALICE, FROM_BOB_POPUP]) expect(JSON.stringify(messages)).not.toContain(m);
    expect(messages, 'the overlay posts nothing to the page').toEqual([]);
  });

  it('cannot message, connect to or load the extension', async () => {
    const outcome = await page.evaluate(() => (window as unknown as { __probeExtension: () => Promise<string[]> }).__probeExtension());
    // No externally_connectable: a web page gets no chrome.runtime to talk to Parley with. Its
    // files cannot be fetched: only the overlay's page is web-accessible, and only at a per-session
    // address (use_dynamic_url), not at the one built from the extension id.
    expect(outcome).toEqual([
      'chrome.runtime: undefined', 'fetch failed: src/popup/index.html', 'fetch failed: manifest.json', 'fetch failed: src/overlay/index.html',
    ]);
  });

  it('cannot inject a message with forged events, and the overlay keeps working', async () => {
    const hit = await page.evaluate(() => (window as unknown as { __forge: () => string }).__forge());
    expect(hit).toBe('PARLEY-OVERLAY');
    expect(await chat.getByTestId('composer').inputValue()).toBe('');
    // Anything injected would have been queued before this; intents are handled in order.
    const sentinel = 'typed after the attack';
    await overlay.send(sentinel);
    await alicePopup.waitForMessage(sentinel);
    await overlay.waitForMessages((m) => m.at(-1) === sentinel);
    const expected = [FROM_ALICE, FROM_BOB_POPUP, sentinel];
    expect(await alicePopup.messages()).toEqual(expected);
    expect(await bobPopup.messages()).toEqual(expected);
    expect(await overlay.messages()).toEqual(expected);
    const seen = await spy();
    expect(seen.messages.map((m) => m.data)).toEqual([JSON.stringify({ type: 'send-message', text: INJECTED })]);
    for (const m of [ALICE_NICK, FROM_ALICE, FROM_BOB_POPUP]) expect(JSON.stringify(seen)).not.toContain(m);
  });

  // The chat is an extension page in a frame: the page shares no text search, selection, focus
  // or keyboard events with it (all three leaked while the chat was DOM inside the page).
  it('cannot read the overlay text with window.find and the selection', async () => {
    const found = await page.evaluate(() => {
      const sel = getSelection()!;
      sel.collapse(document.body, document.body.childNodes.length);
      // Any text after the page's own: the overlay comes next in the document.
      (window as unknown as { find: (s: string) => boolean }).find(' ');
      sel.modify('extend', 'forward', 'documentboundary');
      const text = sel.toString();
      sel.removeAllRanges();
      return text;
    });
    expect(found).not.toContain(FROM_ALICE);
    expect(await page.evaluate((m) => (window as unknown as { find: (s: string) => boolean }).find(m), FROM_ALICE)).toBe(false);
  });

  it('does not hear the keys typed into the overlay', async () => {
    await overlay.send(TYPED_IN_OVERLAY);
    await alicePopup.waitForMessage(TYPED_IN_OVERLAY);
    expect((await spy()).keys).toBe('');
  });

  it('cannot type into the focused overlay composer', async () => {
    await chat.getByTestId('composer').focus();
    await page.evaluate((t) => document.execCommand('insertText', false, t), INJECTED);
    expect(await chat.getByTestId('composer').inputValue()).toBe('');
  });

  it('cannot find, navigate or frame the overlay chat itself', async () => {
    const seen = await page.evaluate(() => {
      let navigate = 'no frame 0';
      try {
        (window.frames[0] as Window).location.href = 'about:blank';
        navigate = 'navigated';
      } catch (e) {
        navigate = (e as Error).name;
      }
      return {
        // The frame is inside the closed shadow root: not in window.frames, not in resource timing.
        frames: window.frames.length,
        navigate,
        extensionResources: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith('http')),
      };
    });
    expect(seen).toEqual({ frames: 0, navigate: 'TypeError', extensionResources: [] });
    expect(overlay.frame?.url()).toMatch(/^chrome-extension:\/\//);

    // Framing the chat page by its public address is refused (use_dynamic_url).
    await page.evaluate((src) => new Promise<void>((resolve) => {
      const f = document.createElement('iframe');
      f.id = 'own-frame';
      f.onload = () => resolve();
      f.src = src;
      document.body.append(f);
    }), `chrome-extension://${bob.extensionId}/src/overlay/index.html`);
    const own = (await (await page.$('#own-frame'))!.contentFrame())!;
    expect(own.url()).not.toBe(`chrome-extension://${bob.extensionId}/src/overlay/index.html`);
    expect(page.frames().filter((f) => f.url().startsWith('chrome-extension://') && f !== own)).toHaveLength(1);
    await page.evaluate(() => document.getElementById('own-frame')!.remove());
  });
});
