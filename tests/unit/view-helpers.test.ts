import { describe, expect, it } from 'vitest';
import { checkRelayUrl, checkSettings } from '../../src/shared/settings.ts';
import { linkify } from '../../src/ui/linkify.ts';

describe('linkify', () => {
  it('links http and https only', () => {
    expect(linkify('see https://example.org/a?b=1, ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ', ok' },
    ]);
    for (const t of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'JaVaScRiPt:alert(1)', 'vbscript:x', 'file:///etc/passwd']) {
      expect(linkify(t)).toEqual([{ kind: 'text', text: t }]);
    }
  });

  it('keeps the text exactly as sent', () => {
    const text = 'a <b>http://x.test/"onmouseover=alert(1)</b> z';
    expect(linkify(text).map((p) => p.text).join('')).toBe(text);
  });
});

describe('settings', () => {
  it('accept wss anywhere and ws only on this machine', () => {
    expect(checkRelayUrl('wss://relay.example.org').ok).toBe(true);
    // docs/protocol.md "Invites", One relay, one name: a typed address gets the same one name as an invite's.
    expect(checkRelayUrl('wss://relay.example.org//?x=1')).toEqual({ ok: true, value: 'wss://relay.example.org' });
    expect(checkRelayUrl('wss://relay.example.org/a//#frag')).toEqual({ ok: true, value: 'wss://relay.example.org/a' });
    expect(checkRelayUrl('wss://relay.example.org/?')).toEqual({ ok: true, value: 'wss://relay.example.org' });
    expect(checkRelayUrl('ws://127.0.0.1:8787').ok).toBe(true);
    expect(checkRelayUrl('ws://localhost:9').ok).toBe(true);
    expect(checkRelayUrl('ws://[::1]:9').ok).toBe(true);
    expect(checkRelayUrl('ws://relay.example.org')).toMatchObject({ ok: false, error: { code: 'RELAY_URL_INSECURE' } });
    expect(checkRelayUrl('ws://127.0.0.1.example.org')).toMatchObject({ ok: false, error: { code: 'RELAY_URL_INSECURE' } });
    expect(checkRelayUrl('https://relay.example.org')).toMatchObject({ ok: false, error: { code: 'RELAY_URL_INVALID' } });
    expect(checkRelayUrl('not a url')).toMatchObject({ ok: false, error: { code: 'RELAY_URL_INVALID' } });
    expect(checkRelayUrl('wss://user:pw@relay.example.org')).toMatchObject({ ok: false, error: { code: 'RELAY_URL_INVALID' } });
  });

  it('trim nicknames and refuse ones that could impersonate', () => {
    expect(checkSettings({ nickname: '  Ana ', relayUrl: 'ws://127.0.0.1:1' })).toEqual({ ok: true, value: { nickname: 'Ana', relayUrl: 'ws://127.0.0.1:1', notifications: false, keepPerRoom: 10_000 } });
    expect(checkSettings({ nickname: 'x'.repeat(41), relayUrl: 'ws://127.0.0.1:1' })).toMatchObject({ ok: false, error: { code: 'NICKNAME_TOO_LONG' } });
    expect(checkSettings({ nickname: 'Bob\u202E', relayUrl: 'ws://127.0.0.1:1' })).toMatchObject({ ok: false, error: { code: 'NICKNAME_CONTROL_CHARS' } });
  });
});
