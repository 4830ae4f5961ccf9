import { useState } from 'preact/hooks';
import { MAX_SEARCH_QUERY_CHARS } from '../shared/constants.ts';
import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';
import { senderLabel } from '../shared/identity-rules.ts';
import '../ui/room-search.css';

interface Props {
  roomId: string;
  send: (msg: ViewToBackground) => void;
  /** The background's answer to the last search in this room. */
  results: { query: string; items: ChatItem[]; more: boolean } | null;
  /** Show a result in the chat. */
  onPick: (id: string) => void;
}

const when = (ms: number) => new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

/** Search in this room's history on this device: newest first; a result shows its line in the chat. */
export function RoomSearch({ roomId, send, results, onPick }: Props) {
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const search = (e: Event) => {
    e.preventDefault();
    if (query.trim()) send({ type: 'search-room', roomId, query: query.trim() });
  };
  if (!open) {
    return <button class="pl-link-button pl-search-open" data-testid="open-search" onClick={() => setOpen(true)}>Search this room</button>;
  }
  const shown = results && results.query === query.trim() ? results : null;
  return (
    <div class="pl-search" data-testid="search">
      <form role="search" class="pl-search-form" onSubmit={search}>
        <input
          type="search" data-testid="search-input" aria-label="Search this room's messages" placeholder="Search messages"
          maxLength={MAX_SEARCH_QUERY_CHARS} value={query} autoFocus
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Escape') setOpen(false); }}
        />
        <button type="submit" data-testid="search-go">Search</button>
        <button type="button" class="pl-link-button" data-testid="close-search" onClick={() => setOpen(false)}>Close</button>
      </form>
      {shown ? (
        <div class="pl-search-results" aria-live="polite">
          <p class="pl-hint" data-testid="search-count">
            {shown.items.length === 0 ? 'No messages found.' : `${shown.items.length}${shown.more ? '+' : ''} found, newest first`}
          </p>
          <ul>
            {shown.items.map((item) => (
              <li key={item.id}>
                <button class="pl-search-result" data-testid="search-result" data-id={item.id} onClick={() => onPick(item.id)}>
                  <span class="pl-search-meta"><bdi>{senderLabel(item).name}</bdi> · {when(item.sentAt)}</span>
                  <span class="pl-search-text" dir="auto">{item.text.slice(0, 200)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
