import type { JoinTarget } from '../shared/invite.ts';

/**
 * Whether joining `target` must ask first (docs/protocol.md, "Invites", "Asking once"): its relay
 * is neither the default relay nor one the user already has a room on or agreed to. Both sides are
 * relay URLs as checkRelayUrl writes them, so comparing the strings compares the relays.
 */
export function needsRelayConfirm(target: JoinTarget, defaultRelay: string | null, knownRelays: readonly string[]): boolean {
  if (target.relayUrl === null || target.relayUrl === defaultRelay) return false;
  return !knownRelays.includes(target.relayUrl);
}
