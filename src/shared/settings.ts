import { DEFAULT_KEEP_PER_ROOM, MAX_KEEP_PER_ROOM, MAX_NICKNAME_CHARS, MIN_KEEP_PER_ROOM, UNSAFE_NAME_CHARS } from './constants.ts';
import { err, ok, type Result } from './result.ts';
import type { Settings } from './view-messages.ts';

export type SettingsErrorCode = 'NICKNAME_TOO_LONG' | 'NICKNAME_CONTROL_CHARS' | 'RELAY_URL_INVALID' | 'RELAY_URL_INSECURE' | 'KEEP_PER_ROOM_INVALID';
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
  return ok({ nickname, relayUrl: relay.value, notifications: input.notifications === true, keepPerRoom });
}
