import { describe, expect, it } from 'vitest';
import { inviteLink, parseJoinInput } from '../../src/shared/invite.ts';
import { formatRoomCode, newRoomCode, type RoomCode } from '../../src/shared/room-code.ts';
import { needsRelayConfirm } from '../../src/popup/join-target.ts';
import { relayHost } from '../../src/popup/relay-host.ts';

// Every case below is one rule of docs/protocol.md, "Invites"; the expected answers are that text's.

const code = newRoomCode();
const shown = formatRoomCode(code);

/** The same code with its check symbol changed: a one-character typo. */
function typo(c: RoomCode): string {
  const last = c.at(-1) === '0' ? '1' : '0';
  return formatRoomCode((c.slice(0, -1) + last) as RoomCode);
}

const errorCode = (text: string) => {
  const r = parseJoinInput(text);
  return r.ok ? 'ok' : r.error.code;
};

describe('making an invite (inviteLink)', () => {
  it.each([
    // wss: becomes https:, ws: becomes http:; host, port and path kept; /join appended.
    ['wss://relay.example', `https://relay.example/join#${shown}`],
    ['ws://127.0.0.1:8787', `http://127.0.0.1:8787/join#${shown}`],
    ['wss://host.example/parley', `https://host.example/parley/join#${shown}`],
    ['wss://relay.example:8443', `https://relay.example:8443/join#${shown}`],
    ['ws://[::1]:9000', `http://[::1]:9000/join#${shown}`],
    // Trailing slashes removed before /join.
    ['wss://host.example/parley/', `https://host.example/parley/join#${shown}`],
    ['wss://host.example/parley//', `https://host.example/parley/join#${shown}`],
    ['ws://localhost:8787/', `http://localhost:8787/join#${shown}`],
  ])('%s', (relay, link) => {
    expect(inviteLink(relay, code)).toBe(link);
  });

  it('puts the code in the fragment only, in groups of four joined by -', () => {
    const url = new URL(inviteLink('wss://relay.example', code));
    expect(url.hash).toBe(`#${shown}`);
    expect(url.hash).toMatch(/^#(\w{4}-){5}\w{4}$/);
    expect(url.pathname + url.search).not.toContain(code.slice(0, 4));
  });
});

describe('reading an invite back (round trips)', () => {
  it.each([
    ['wss://relay.example', 'wss://relay.example'],
    ['ws://127.0.0.1:8787', 'ws://127.0.0.1:8787'],
    ['ws://localhost:8787', 'ws://localhost:8787'],
    ['ws://[::1]:8787', 'ws://[::1]:8787'],
    ['wss://host.example/parley', 'wss://host.example/parley'],
    ['wss://host.example/a/b/', 'wss://host.example/a/b'],
    ['wss://relay.example:8443', 'wss://relay.example:8443'],
  ])('%s', (relay, expected) => {
    expect(parseJoinInput(inviteLink(relay, code))).toEqual({ ok: true, value: { code, relayUrl: expected } });
  });
});

describe('one relay, one name: trailing slashes and a query (docs/protocol.md, "Invites")', () => {
  it.each([
    [`https://relay.example///join#${shown}`, 'wss://relay.example'],
    [`https://relay.example/a//join#${shown}`, 'wss://relay.example/a'],
    [`https://relay.example/a///join#${shown}`, 'wss://relay.example/a'],
    [`https://relay.example/join?x=1#${shown}`, 'wss://relay.example'],
    [`relay.example/join?#${shown}`, 'wss://relay.example'],
    [`https://relay.example/parley//join?utm_source=chat#${shown}`, 'wss://relay.example/parley'],
  ])('%s', (link, relayUrl) => {
    expect(parseJoinInput(link)).toEqual({ ok: true, value: { code, relayUrl } });
  });

  it('drops a query of the relay URL when making an invite', () => {
    expect(inviteLink('wss://relay.example/?x=1', code)).toBe(`https://relay.example/join#${shown}`);
  });
});

describe('reading what a person pasted (parseJoinInput)', () => {
  it('ignores surrounding white space', () => {
    expect(parseJoinInput(`  \n${inviteLink('wss://relay.example', code)}\t `)).toEqual({ ok: true, value: { code, relayUrl: 'wss://relay.example' } });
    expect(parseJoinInput(`  ${shown}\n`)).toEqual({ ok: true, value: { code, relayUrl: null } });
  });

  it('reads text without ://, / or # as a bare code on the default relay (relayUrl null)', () => {
    expect(parseJoinInput(shown)).toEqual({ ok: true, value: { code, relayUrl: null } });
    expect(parseJoinInput(code)).toEqual({ ok: true, value: { code, relayUrl: null } });
  });

  it('reads a bare code as room codes always are: case, spaces and dashes ignored, look-alikes mapped', () => {
    const sloppy = shown.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseJoinInput(sloppy)).toEqual({ ok: true, value: { code, relayUrl: null } });
  });

  it.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    [`${shown.slice(0, -1)}U`, 'BAD_CHARACTER'],
    [shown.slice(0, -2), 'WRONG_LENGTH'],
    [typo(code), 'TYPO'],
  ])('gives a bare code the room-code errors: %j → %s', (text, expected) => {
    expect(errorCode(text)).toBe(expected);
  });

  it('assumes https:// for a link without a scheme', () => {
    expect(parseJoinInput(`relay.example/join#${shown}`)).toEqual({ ok: true, value: { code, relayUrl: 'wss://relay.example' } });
    expect(parseJoinInput(`host.example:8443/parley/join#${shown}`)).toEqual({ ok: true, value: { code, relayUrl: 'wss://host.example:8443/parley' } });
  });

  it('reads a link whose fragment needs percent-decoding and whose code is sloppy', () => {
    const fragment = encodeURIComponent(shown.toLowerCase().replace(/-/g, ' '));
    expect(parseJoinInput(`https://relay.example/join#${fragment}`)).toEqual({ ok: true, value: { code, relayUrl: 'wss://relay.example' } });
  });

  it('makes the relay URL from the link: https:→wss:, http:→ws:, /join removed, no fragment, no trailing slash', () => {
    expect(parseJoinInput(`https://relay.example/join#${shown}`)).toEqual({ ok: true, value: { code, relayUrl: 'wss://relay.example' } });
    expect(parseJoinInput(`http://127.0.0.1:8787/join#${shown}`)).toEqual({ ok: true, value: { code, relayUrl: 'ws://127.0.0.1:8787' } });
    expect(parseJoinInput(`https://host.example/parley/join#${shown}`)).toEqual({ ok: true, value: { code, relayUrl: 'wss://host.example/parley' } });
    expect(parseJoinInput(`https://host.example/parley//join#${shown}`)).toEqual({ ok: true, value: { code, relayUrl: 'wss://host.example/parley' } });
  });

  describe('errors', () => {
    it.each([
      // https: or http: only.
      [`wss://relay.example/join#${shown}`, 'BAD_INVITE'],
      [`ftp://relay.example/join#${shown}`, 'BAD_INVITE'],
      [`file:///join#${shown}`, 'BAD_INVITE'],
      [`javascript:alert(1)//join#${shown}`, 'BAD_INVITE'],
      // Not a link at all once https:// is assumed.
      [`https://#${shown}`, 'BAD_INVITE'],
      [`#${shown}`, 'BAD_INVITE'],
      // A path ending in /join.
      [`https://relay.example/#${shown}`, 'BAD_INVITE'],
      [`https://relay.example/join/#${shown}`, 'BAD_INVITE'],
      [`https://relay.example/joins#${shown}`, 'BAD_INVITE'],
      [`https://relay.example/notjoin#${shown}`, 'BAD_INVITE'],
      [`https://relay.example/join/x#${shown}`, 'BAD_INVITE'],
      // A non-empty fragment: empty or undecodable is BAD_INVITE.
      ['https://relay.example/join', 'BAD_INVITE'],
      ['https://relay.example/join#', 'BAD_INVITE'],
      ['https://relay.example/join#%E0%A4%A', 'BAD_INVITE'],
      ['https://relay.example/join#%', 'BAD_INVITE'],
      // A fragment with no code in it is empty, not a room-code error (the doc lists only
      // BAD_CHARACTER, WRONG_LENGTH and TYPO for a link's code).
      ['https://relay.example/join#%20', 'BAD_INVITE'],
      ['https://relay.example/join#----', 'BAD_INVITE'],
      // Otherwise the room-code errors.
      [`https://relay.example/join#${shown.slice(0, -1)}U`, 'BAD_CHARACTER'],
      [`https://relay.example/join#${shown}#`, 'BAD_CHARACTER'],
      [`https://relay.example/join#${shown.slice(0, -2)}`, 'WRONG_LENGTH'],
      [`https://relay.example/join#${typo(code)}`, 'TYPO'],
      // The relay-address rule: no user name or password.
      [`https://user@relay.example/join#${shown}`, 'BAD_INVITE'],
      [`https://user:pw@relay.example/join#${shown}`, 'BAD_INVITE'],
      [`http://user:pw@127.0.0.1:8787/join#${shown}`, 'BAD_INVITE'],
      // Plain http: only for localhost, 127.0.0.1 or [::1]; a remote one is INVITE_INSECURE.
      [`http://relay.example/join#${shown}`, 'INVITE_INSECURE'],
      [`http://192.168.1.5:8787/join#${shown}`, 'INVITE_INSECURE'],
      [`http://127.0.0.2:8787/join#${shown}`, 'INVITE_INSECURE'],
      [`http://localhost.example/join#${shown}`, 'INVITE_INSECURE'],
    ])('%s → %s', (text, expected) => {
      expect(errorCode(text)).toBe(expected);
    });

    it.each([
      `http://localhost/join#${shown}`,
      `http://127.0.0.1:8787/join#${shown}`,
      `http://[::1]:8787/join#${shown}`,
    ])('accepts plain http: for this computer: %s', (text) => {
      expect(errorCode(text)).toBe('ok');
    });

    it('says every error in words', () => {
      for (const text of ['', `https://relay.example/#${shown}`, `http://relay.example/join#${shown}`, `https://relay.example/join#${typo(code)}`]) {
        const r = parseJoinInput(text);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toMatch(/\w{3,} .*\w/);
      }
    });
  });
});

describe('asking once (needsRelayConfirm)', () => {
  // Asks when the invite's relay is neither the default relay nor one the user already has a
  // room on (or agreed to before): the background's knownRelays.
  const known = ['wss://known.example', 'ws://127.0.0.1:8787'];
  it.each([
    [null, false],
    ['ws://127.0.0.1:8787', false],
    ['wss://default.example', false],
    ['wss://known.example', false],
    ['wss://new.example', true],
    ['wss://known.example/other', true],
    ['wss://known.example:8443', true],
    // Compared as written: the same machine under another name is another relay to the user.
    ['ws://localhost:8787', true],
  ])('relay %s → asks: %s', (relayUrl, asks) => {
    expect(needsRelayConfirm({ code, relayUrl }, 'wss://default.example', known)).toBe(asks);
  });
});

describe('the relay address shown when asking', () => {
  it('is the written form: a non-ASCII host shows as xn--…', () => {
    const r = parseJoinInput(`https://bücher.example/join#${shown}`);
    expect(r).toEqual({ ok: true, value: { code, relayUrl: 'wss://xn--bcher-kva.example' } });
  });
});

describe("a room's relay, as its label shows it (relayHost)", () => {
  it.each([
    ['wss://relay.example', 'relay.example'],
    ['ws://127.0.0.1:8787', '127.0.0.1:8787'],
    ['wss://relay.example:8443', 'relay.example:8443'],
    // Two relays behind one host differ only in their path, so the path is kept.
    ['wss://host.example/parley', 'host.example/parley'],
  ])('%s → %s', (url, label) => {
    expect(relayHost(url)).toBe(label);
  });
});
