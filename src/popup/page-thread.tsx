import { useEffect, useMemo, useState } from 'preact/hooks';
import { newMessageId } from '../shared/message-id.ts';
import type { ChatItem, PageRef, RoomSummary, ViewToBackground } from '../shared/view-messages.ts';
import { MessageText } from '../ui/message-text.tsx';
import { SenderLine } from '../ui/sender-line.tsx';
import { normalisePageUrl } from '../shared/page-url.ts';
import { pageLabel } from './current-page.ts';
import './page-rooms.css';

interface Props {
  room: RoomSummary;
  page: PageRef;
  /** The room's live lines (its newest page): thread lines among them join the thread as they come. */
  items: ChatItem[];
  thread: { roomId: string; url: string; items: ChatItem[] } | null;
  send: (msg: ViewToBackground) => void;
  close: () => void;
}

/** "This page's thread": only the lines about the page the popup is over, and a box that sends into it. */
export function PageThread({ room, page, items, thread, send, close }: Props) {
  const [text, setText] = useState('');
  const url = normalisePageUrl(page.url);
  const normal = url.ok ? url.value : page.url;
  useEffect(() => {
    send({ type: 'load-thread', roomId: room.roomId, url: page.url });
  }, [room.roomId, page.url]);
  const lines = useMemo(() => {
    const byId = new Map<string, ChatItem>();
    if (thread && thread.roomId === room.roomId && thread.url === normal) for (const item of thread.items) byId.set(item.id, item);
    // The live copy wins: it has the newest status (sent, delivered) and edits. A live copy no
    // longer about this page (deleted: it left the thread) takes the loaded copy out.
    for (const item of items) {
      if (item.page?.url === normal) byId.set(item.id, item);
      else byId.delete(item.id);
    }
    return [...byId.values()].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }, [thread, items, normal, room.roomId]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    send({ type: 'send-message', roomId: room.roomId, text, id: newMessageId(), page: { url: page.url, title: page.title } });
    setText('');
  };
  return (
    <section class="pl-thread" data-testid="page-thread" aria-label={`Thread about ${pageLabel(page)}`}>
      <div class="pl-row">
        <strong>This page's thread</strong>
        <button class="pl-link-button" data-testid="page-thread-close" onClick={close}>Whole room</button>
      </div>
      <p class="pl-hint">Only this room's members can see which page these lines are about.</p>
      {lines.length === 0 ? <p class="pl-hint" data-testid="page-thread-empty">Nothing said about this page in this room yet.</p> : null}
      <ol class="pl-thread-lines" data-testid="page-thread-lines">
        {lines.map((line) => (
          <li key={line.id} data-testid="thread-line" data-id={line.id} data-status={line.status}>
            {/* As the main log shows a sender: a borrowed nickname or an unsigned line is marked here too. */}
            <SenderLine item={line} />{': '}
            {line.deleted ? <span class="pl-text pl-tombstone">Message deleted</span> : <MessageText text={line.text} />}
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <input data-testid="thread-composer" aria-label="Message to this page's thread" maxLength={10_000} value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="About this page…" />
        <button type="submit" data-testid="thread-send">Send</button>
      </form>
    </section>
  );
}
