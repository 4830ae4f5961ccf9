import type { RelayStatus } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { somethingAnswers } from './relay-probe.ts';
import { closeWords, RELAY_ERROR_WORDS, type WordsContext } from './relay-words.ts';

/** Per address, whether something other than a relay answers there (see noteUnopened). */
const notARelay = new Map<string, boolean>();

/**
 * A socket to `url` did not open: find out whether anything answers there, so the banner can say
 * "not a Parley relay" instead of "can't reach". One HTTP request per failed attempt.
 */
export async function noteUnopened(url: string): Promise<boolean> {
  const answers = await somethingAnswers(url);
  const changed = notARelay.get(url) !== answers;
  notARelay.set(url, answers);
  return changed;
}

/** The connection as the user reads it: why it is down, and when the next try starts. */
export function relayStatus(bg: Background, url: string): RelayStatus {
  const { relay } = bg;
  const context = wordsContext(bg, url);
  const close = relay.lastClose;
  const problem = relay.status === 'online' || !close ? null
    : !close.opened && close.code === 1006 && notARelay.get(url) ? `Something at ${url} answered, but it is not a Parley relay`
    : closeWords(close, context);
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
