import type { ConnectionStatus, RelayStatus } from '../shared/view-messages.ts';
import type { RelayLink } from './relay-link.ts';
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

/** One relay's connection as the user reads it: why it is down, and when the next try starts. */
export function relayStatus(link: RelayLink): RelayStatus {
  const { socket, url } = link;
  const context = wordsContext(link);
  const close = socket.lastClose;
  const problem = socket.status === 'online' || !close ? null
    : (!close.opened && close.code === 1006 && close.after === undefined && close.timedOutMs === undefined && unopenedWords(url))
      || closeWords(close, context);
  return { url, connection: socket.status, problem, retryAt: socket.status === 'online' ? null : socket.retryAt };
}

/** Why `link`'s relay did not let us into `roomId`, in words; null while nothing is wrong. */
export function roomProblem(link: RelayLink | undefined, roomId: string): string | null {
  const code = link?.roomProblems.get(roomId);
  return link && code ? RELAY_ERROR_WORDS[code](wordsContext(link)) : null;
}

export function wordsContext(link: Pick<RelayLink, 'url' | 'roomLimit'>): WordsContext {
  return { url: link.url, roomLimit: link.roomLimit };
}

/** Every relay in use summed up: online only when every one is, offline when none is in use. */
export function overall(connections: ConnectionStatus[]): ConnectionStatus {
  if (connections.length === 0) return 'offline';
  return connections.every((c) => c === 'online') ? 'online' : 'connecting';
}
