import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from '../shared/constants.ts';

/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed so retries never bunch
 * at zero, half is random so a relay restart is not met by every client in the same millisecond.
 */
export function reconnectDelay(attempt: number, random = Math.random, base = RECONNECT_BASE_MS, max = RECONNECT_MAX_MS): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
