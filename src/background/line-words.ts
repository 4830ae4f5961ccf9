import type { ChatItem } from '../shared/view-messages.ts';

/** A line's words for the room list and a notification: a quote with no comment shows its passage. */
export function lineWords(line: Pick<ChatItem, 'text' | 'quote'>): string {
  return line.text || (line.quote ? `“${line.quote.text}”` : '');
}
