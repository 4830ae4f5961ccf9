import { useEffect, useState } from 'preact/hooks';
import type { ChatItem, Member, RoomSummary, ViewToBackground } from '../shared/view-messages.ts';
import { TypingLine } from '../ui/typing-line.tsx';
import { ChatLog } from '../ui/chat-log.tsx';
import { useFocusLine, useMessageActions } from '../ui/use-message-actions.ts';
import { logProps, type LogPaging } from '../ui/log-paging.ts';
import { Composer } from '../ui/composer.tsx';
import { RoomProblem } from '../ui/status-banner.tsx';
import { RoomSearch } from './room-search.tsx';
import { CopyCode } from './copy-code.tsx';
import { CopyInvite } from './copy-invite.tsx';
import { hereWords, People } from './people.tsx';
import { pageTabId } from './page-tab.ts';
import { relayHost } from './relay-host.ts';
import { closeDetailsOnEscape } from '../ui/escape-closes.ts';
import { PageThread } from './page-thread.tsx';
import { useCurrentPage } from './current-page.ts';
import { QuoteButton } from '../ui/quote-button.tsx';
import type { KeptSiteSummary } from '../shared/view-messages.ts';
import { KeepSite } from './keep-site.tsx';
import type { QuotePreviewMessage } from '../ui/use-background.ts';

interface Props {
  room: RoomSummary;
  items: ChatItem[];
  presence: { members: Member[] | null; typing: string[] };
  send: (msg: ViewToBackground) => void;
  left: () => void;
  /** The answer to the last search in this room. */
  search?: { query: string; items: ChatItem[]; more: boolean } | null;
  /** Older pages and the "new messages" divider (log-paging.ts). */
  paging?: LogPaging;
  /** The answer to load-thread (per-page threads). */
  thread?: { roomId: string; url: string; items: ChatItem[] } | null;
  /** Tabs with the overlay open: over one of them, the popup can quote the page's selection. */
  overlayTabs?: number[];
  /** Sites Parley is kept on: "Keep Parley on this site" shows whether this page's is. */
  keptSites?: KeptSiteSummary[];
  /** The passage "Quote selection" read, waiting for "Send quote". */
  quotePreview?: QuotePreviewMessage | null;
  /** Settings "Don't store my messages on the relay" is on: the composer says so. */
  directOnly?: boolean;
}

export function RoomView({ room, items, presence, send, left, search = null, paging, thread = null, overlayTabs = [], keptSites = [], quotePreview = null, directOnly = false }: Props) {
  const page = useCurrentPage();
  const [threadOpen, setThreadOpen] = useState(false);
  const [pageTab, setPageTab] = useState<number | null>(null);
  useEffect(() => void pageTabId().then(setPageTab), []);
  const [name, setName] = useState(room.name);
  const { focusId, focus } = useFocusLine(send, room.roomId, items, paging?.cursor ?? null);
  const { actions, composer } = useMessageActions(send, room.roomId, items, focus);
  return (
    <section class="pl-room-view" data-testid="room-view" data-room-id={room.roomId}>
      <div class="pl-room-head">
        <h2>{room.name}</h2>
        <span class="pl-members" data-testid="members" data-known={room.members !== null ? 'true' : 'false'}>{hereWords(room.members)}</span>
        <label class="pl-mute">
          <input type="checkbox" data-testid="mute-room" checked={room.muted} onChange={(e) => send({ type: 'mute-room', roomId: room.roomId, muted: e.currentTarget.checked })} />
          Mute
        </label>
      </div>
      <div class="pl-room-relay">on <span data-testid="room-relay" title={room.relayUrl}>{relayHost(room.relayUrl)}</span></div>
      <details class="pl-room-tools" data-testid="room-tools" onKeyDown={closeDetailsOnEscape}>
        <summary>Invite, code and actions</summary>
        <p class="pl-hint">Send this invite to a friend:</p>
        <CopyInvite invite={room.invite} />
        <p class="pl-hint">or read them the code:</p>
        <CopyCode code={room.code} />
        <form class="pl-row" data-testid="rename-form" onSubmit={(e) => { e.preventDefault(); send({ type: 'rename-room', roomId: room.roomId, name }); }}>
          <label for="pl-room-name" class="pl-hint">Name (on this device only)</label>
          <input id="pl-room-name" data-testid="room-name-input" value={name} maxLength={40} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" data-testid="rename-room">Rename</button>
        </form>
        <div class="pl-row">
          <button data-testid="chat-on-page" onClick={async () => send({ type: 'open-overlay', roomId: room.roomId, tabId: await pageTabId() })}>Chat on this page</button>
          <button class="pl-danger" data-testid="leave-room" onClick={() => { send({ type: 'leave-room', roomId: room.roomId }); left(); }}>Leave room</button>
        </div>
        <KeepSite roomId={room.roomId} keptSites={keptSites} send={send} />
      </details>
      <RoomProblem problem={room.problem} />
      {room.pageRoom ? <p class="pl-hint" data-testid="page-room-public">A page's public room: anyone who can guess the page's address can join and read it.</p> : null}
      {page && !room.pageRoom && !threadOpen ? <button data-testid="page-thread-open" onClick={() => setThreadOpen(true)}>This page's thread</button> : null}
      <People members={presence.members} />
      <RoomSearch roomId={room.roomId} send={send} results={search} onPick={focus} />
      {page && threadOpen ? <PageThread room={room} page={page} items={items} thread={thread} send={send} close={() => setThreadOpen(false)} /> : <>
      <ChatLog items={items} actions={actions} focusId={focusId} {...logProps(paging)} />
      <TypingLine typing={presence.typing} />
      {pageTab !== null && overlayTabs.includes(pageTab) ? <QuoteButton send={send} roomId={room.roomId} items={items} tabId={pageTab} preview={quotePreview} /> : null}
      <Composer {...composer} directOnly={directOnly} onTyping={(typing) => send({ type: 'typing', roomId: room.roomId, typing })} />
      </>}
    </section>
  );
}
