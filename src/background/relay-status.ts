import type { RelayStatus } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { busyWords, whatAnswers, type Answerer } from './relay-probe.ts';
import { closeWords, RELAY_ERROR_WORDS, type WordsContext } from './relay-words.ts';

/** Per address, what answered there after the last socket that did not open (see noteUnopened). */
const answerers = new Map<string, Answerer>();

/**
 * A socket to `url` did not open: find out whether anything answers there, so the banner can say
 * "not a Parley relay" or "up but busy" instead of "can't reach". One or two HTTP requests per
 * failed attempt.
 */
export async function noteUnopened(url: string): Promise<boolean> {
  const answers = await whatAnswers(url);
  const changed = answerers.get(url) !== answers;
  answerers.set(url, answers);
  return changed;
}

function unopenedWords(url: string): string | null {
  switch (answerers.get(url)) {
    case 'parley': return busyWords(url);
    case 'other': return `Something at ${url} answered, but it is not a Parley relay`;
    default: return null;
  }
}

/** The connection as the user reads it: why it is down, and when the next try starts. */
export function relayStatus(bg: Background, url: string): RelayStatus {
  const { relay } = bg;
  const context = wordsContext(bg, url);
  const close = relay.lastClose;
  const problem = relay.status === 'online' || !close ? null
    : (!close.opened && close.code === 1006 && close.after === undefined && close.timedOutMs === undefined && unopenedWords(url))
      || closeWords(close, context);
  return { url, connection: relay.status, problem, retryAt: relay.status === 'online' ? null : relay.retryAt };
}

/** Why the relay did not let us into `roomId`, in words; null while nothing is wrong. */
export function roomProblem(bg: Background, roomId: string, url: string): string | null {
  const code = bg.roomProblems.get(roomId);
  return code ? RELAY_ERROR_WORDS[code](wordsContext(bg, url)) : null;
}

export function wordsContext(bg: Background, url: string): WordsContext {
  return { url, roomLimit: bg.roomLimit };
}
