import type { RelayStatus } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { closeWords, RELAY_ERROR_WORDS, type WordsContext } from './relay-words.ts';

/** The connection as the user reads it: why it is down, and when the next try starts. */
export function relayStatus(bg: Background, url: string): RelayStatus {
  const { relay } = bg;
  const context = wordsContext(bg, url);
  const problem = relay.status === 'online' || !relay.lastClose ? null : closeWords(relay.lastClose, context);
  return { url, problem, retryAt: relay.status === 'online' ? null : relay.retryAt };
}

/** Why the relay did not let us into `roomId`, in words; null while nothing is wrong. */
export function roomProblem(bg: Background, roomId: string, url: string): string | null {
  const code = bg.roomProblems.get(roomId);
  return code ? RELAY_ERROR_WORDS[code](wordsContext(bg, url)) : null;
}

export function wordsContext(bg: Background, url: string): WordsContext {
  return { url, roomLimit: bg.roomLimit };
}
