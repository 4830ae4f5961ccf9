import { DEFAULT_KEEP_PER_ROOM, MAX_KEEP_PER_ROOM, MAX_NICKNAME_CHARS, MIN_KEEP_PER_ROOM, UNSAFE_NAME_CHARS } from './constants.ts';
import { err, ok, type Result } from './result.ts';
import type { Settings } from './view-messages.ts';
import type { IceServer } from './offscreen-messages.ts';

export type SettingsErrorCode = 'NICKNAME_TOO_LONG' | 'NICKNAME_CONTROL_CHARS' | 'RELAY_URL_INVALID' | 'RELAY_URL_INSECURE' | 'KEEP_PER_ROOM_INVALID' | 'ICE_SERVER_INVALID';
export interface SettingsError {
  code: SettingsErrorCode;
  field: keyof Settings;
  message: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain ws:// is accepted only for this machine; anything remote must be wss://. */
export function checkRelayUrl(input: string): Result<string, SettingsError> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return err({ code: 'RELAY_URL_INVALID', field: 'relayUrl', message: 'The relay address is not a valid URL.' });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return err({ code: 'RELAY_URL_INVALID', field: 'relayUrl', message: 'The relay address must start with wss:// (or ws:// for this computer).' });
  }
  if (url.username || url.password) {
    return err({ code: 'RELAY_URL_INVALID', field: 'relayUrl', message: 'The relay address must not contain a user name or password.' });
  }
  if (url.protocol === 'ws:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return err({ code: 'RELAY_URL_INSECURE', field: 'relayUrl', message: 'A relay on another computer must use wss:// so nobody on the way can watch or block it.' });
  }
  // One relay, one name (docs/protocol.md, "Invites"): a query, a fragment or a slash more would
  // make the same relay a second one, with its own socket and its own question.
  url.search = '';
  url.hash = '';
  return ok(url.href.replace(/\/+$/, ''));
}

/** The fields a form may leave out take their defaults (an older view, a first-run prompt). */
export type SettingsInput = Pick<Settings, 'nickname' | 'relayUrl'> & Partial<Settings>;

export function checkSettings(input: SettingsInput): Result<Settings, SettingsError> {
  const nickname = String(input.nickname ?? '').trim();
  if (nickname.length > MAX_NICKNAME_CHARS) {
    return err({ code: 'NICKNAME_TOO_LONG', field: 'nickname', message: `Nicknames are at most ${MAX_NICKNAME_CHARS} characters.` });
  }
  if (UNSAFE_NAME_CHARS.test(nickname)) {
    return err({ code: 'NICKNAME_CONTROL_CHARS', field: 'nickname', message: 'Nicknames cannot contain control or direction-changing characters.' });
  }
  const relay = checkRelayUrl(String(input.relayUrl ?? ''));
  if (!relay.ok) return relay;
  const keepPerRoom = input.keepPerRoom ?? DEFAULT_KEEP_PER_ROOM;
  if (typeof keepPerRoom !== 'number' || !Number.isInteger(keepPerRoom) || keepPerRoom < MIN_KEEP_PER_ROOM || keepPerRoom > MAX_KEEP_PER_ROOM) {
    return err({ code: 'KEEP_PER_ROOM_INVALID', field: 'keepPerRoom', message: `Keep between ${MIN_KEEP_PER_ROOM.toLocaleString('en')} and ${MAX_KEEP_PER_ROOM.toLocaleString('en')} messages per room.` });
  }
  const ice = checkIceServers(input.iceServers ?? []);
  if (!ice.ok) return ice;
  // Written only when set, so settings saved before the direct path read the same.
  const direct = input.directConnections === true ? { directConnections: true } : {};
  const iceServers = ice.value.length > 0 ? { iceServers: ice.value } : {};
  // "Don't store my messages on the relay" means something only over direct connections: without
  // them it is dropped, not refused (docs/protocol.md "Messages sent only directly").
  const directOnly = input.directOnly === true && input.directConnections === true ? { directOnly: true as const } : {};
  return ok({ nickname, relayUrl: relay.value, notifications: input.notifications === true, keepPerRoom, ...direct, ...iceServers, ...directOnly });
}

/** At most this many STUN/TURN servers: each is tried for every direct connection. */
export const MAX_ICE_SERVERS = 8;

/** STUN/TURN servers (docs/security.md, "Direct connections"): stun:, stuns:, turn: or turns: addresses. */
export function checkIceServers(input: unknown): Result<IceServer[], SettingsError> {
  const bad = (message: string) => err<SettingsError>({ code: 'ICE_SERVER_INVALID', field: 'iceServers', message });
  if (!Array.isArray(input) || input.length > MAX_ICE_SERVERS) return bad(`Give at most ${MAX_ICE_SERVERS} STUN or TURN servers.`);
  const out: IceServer[] = [];
  for (const s of input as unknown[]) {
    const o = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    const url = typeof o.urls === 'string' ? o.urls.trim() : '';
    if (!/^(stun|stuns|turn|turns):[^\s]{1,250}$/.test(url)) return bad('A STUN or TURN server starts with stun:, stuns:, turn: or turns:.');
    const user = typeof o.username === 'string' && o.username !== '' ? { username: o.username } : {};
    const cred = typeof o.credential === 'string' && o.credential !== '' ? { credential: o.credential } : {};
    // What RTCPeerConnection throws on (WebRTC's "validate an ICE server"): one such server would
    // end every direct connection, so it is refused here in words instead.
    const [, scheme = '', query] = /^([a-z]+):[^?]*(?:\?(.*))?$/.exec(url) ?? [];
    if (scheme.startsWith('turn')) {
      if (!user.username || !cred.credential) return bad(`A TURN server needs a user name and a password after its address: ${url} user password`);
      if (query !== undefined && !/^transport=(udp|tcp)$/.test(query)) return bad('A TURN address takes no query but ?transport=udp or ?transport=tcp.');
    } else if (query !== undefined) return bad('A STUN address takes no query (nothing after ?).');
    out.push({ urls: url, ...user, ...cred });
  }
  return ok(out);
}

/** One server per line: the address, then optionally a user name and a password, spaces between. */
export function parseIceServerLines(text: string): IceServer[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [urls = '', username, credential] = l.split(/\s+/);
    return { urls, ...(username ? { username } : {}), ...(credential ? { credential } : {}) };
  });
}

export const iceServerLines = (servers: readonly IceServer[]): string =>
  servers.map((s) => [s.urls, s.username, s.credential].filter((x) => typeof x === 'string' && x !== '').join(' ')).join('\n');
