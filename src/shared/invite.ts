import { checkRelayUrl } from './settings.ts';
import { formatRoomCode, parseRoomCode, type RoomCode, type RoomCodeErrorCode } from './room-code.ts';
import { err, ok, type Result } from './result.ts';

// An invite is one link that carries both halves of a room: where it lives and its key.
//
//   https://relay.example/join#ABCD-EFGH-JKMN-PQRS-TVWX-YZ01
//
// The relay's web address (wss:// becomes https://, ws:// http://, any path kept) plus `/join`,
// and the room code in the fragment: browsers never send a fragment to a server, so the relay
// that serves the join page cannot learn the code from a visit (docs/security.md, "Invites").

export const INVITE_PATH = '/join';

export type JoinInputErrorCode = RoomCodeErrorCode | 'BAD_INVITE' | 'INVITE_INSECURE';
export interface JoinInputError {
  code: JoinInputErrorCode;
  message: string;
}

/** What a Join box holds: a room code, and the relay it lives on (null: a bare code, the default relay). */
export interface JoinTarget {
  code: RoomCode;
  relayUrl: string | null;
}

/** The invite link for room `code` on the relay at `relayUrl` (a checked ws:// or wss:// URL). */
export function inviteLink(relayUrl: string, code: RoomCode): string {
  const url = new URL(relayUrl);
  url.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
  url.pathname = url.pathname.replace(/\/+$/, '') + INVITE_PATH;
  // Read back, an invite's query is dropped (docs/protocol.md, "Invites"): one left here would
  // make the relay URL the friend gets differ from ours.
  url.search = '';
  url.hash = formatRoomCode(code);
  return url.href;
}

/**
 * Reads what a person pasted into the Join box: an invite link, or a bare room code. Every
 * failure is a typed error in words, found before anything goes on the network.
 */
export function parseJoinInput(input: string): Result<JoinTarget, JoinInputError> {
  const text = typeof input === 'string' ? input.trim() : '';
  if (!looksLikeLink(text)) {
    const code = parseRoomCode(text);
    return code.ok ? ok({ code: code.value, relayUrl: null }) : code;
  }
  return parseInvite(text);
}

function looksLikeLink(text: string): boolean {
  return text.includes('://') || text.includes('/') || text.includes('#');
}

function parseInvite(text: string): Result<JoinTarget, JoinInputError> {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    return badInvite('That is not a link Parley can read.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return badInvite('An invite link starts with https://.');
  if (!url.pathname.endsWith(INVITE_PATH)) return badInvite(`An invite link ends in ${INVITE_PATH}#, then the room code.`);
  let fragment: string;
  try {
    fragment = decodeURIComponent(url.hash.slice(1));
  } catch {
    return badInvite('The room code in this invite link is garbled. Ask for the link again.');
  }
  const noCode = 'This invite link has no room code after the #. Ask for the whole link.';
  if (fragment === '') return badInvite(noCode);
  const code = parseRoomCode(fragment);
  // A fragment of only spaces or dashes is as empty as none: the link lost its code, which is
  // not what "Enter a room code" (EMPTY, for the bare-code box) would tell the person.
  if (!code.ok) return code.error.code === 'EMPTY' ? badInvite(noCode) : code;
  const relay = new URL(url.href);
  relay.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  // Every trailing slash and any query go, so one relay has one name (docs/protocol.md,
  // "Invites"): a second name would ask again and open a second link to the same relay.
  relay.pathname = url.pathname.slice(0, -INVITE_PATH.length).replace(/\/+$/, '') || '/';
  relay.search = '';
  relay.hash = '';
  const checked = checkRelayUrl(relay.href);
  if (!checked.ok) {
    return checked.error.code === 'RELAY_URL_INSECURE'
      ? err({ code: 'INVITE_INSECURE', message: 'This invite is for a relay on another computer without https://, so anyone on the way could read or block it. Ask for an https:// invite.' })
      : badInvite(`This invite's relay address is not usable: ${checked.error.message}`);
  }
  return ok({ code: code.value, relayUrl: checked.value });
}

const badInvite = (message: string): { ok: false; error: JoinInputError } => err({ code: 'BAD_INVITE', message });
