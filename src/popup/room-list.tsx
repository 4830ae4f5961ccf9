import { useState } from 'preact/hooks';
import type { ViewToBackground } from '../shared/view-messages.ts';
import { NicknamePrompt } from './nickname-prompt.tsx';
import './room-list-extra.css';
import type { ViewState } from '../ui/use-background.ts';
import { CopyCode } from './copy-code.tsx';
import { CopyInvite } from './copy-invite.tsx';
import { JoinForm } from './join-form.tsx';
import { relayHost } from './relay-host.ts';
import { PagePanel } from './page-panel.tsx';

interface Props {
  state: ViewState;
  send: (msg: ViewToBackground) => void;
  open: (roomId: string) => void;
}

/** Today: the time ("14:05"); before: the day ("12 Mar"). */
export function whenWords(at: number, now = Date.now()): string {
  const d = new Date(at);
  return d.toDateString() === new Date(now).toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

export function RoomList({ state, send, open }: Props) {
  const [newName, setNewName] = useState('');
  const created = state.ready?.created ? state.ready : null;
  // The invite comes with the room's summary, which may arrive just after the room-ready.
  const createdInvite = created ? state.rooms.find((r) => r.roomId === created.roomId)?.invite ?? null : null;
  // Which relay a room lives on is worth a line only when the rooms are not all on one.
  const severalRelays = new Set(state.rooms.map((r) => r.relayUrl)).size > 1;
  return (
    <section class="pl-rooms">
      {state.settings && state.settings.nickname === '' ? <NicknamePrompt settings={state.settings} send={send} /> : null}
      <div class="pl-actions">
        <input data-testid="new-room-name" aria-label="Name for a new room (optional)" placeholder="Room name (optional)" maxLength={40} value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
        <button data-testid="create-room" onClick={() => { send({ type: 'create-room', name: newName }); setNewName(''); }}>Create a room</button>
      </div>
      {created ? (
        <div class="pl-created" data-testid="created-room">
          <p>Send this invite to a friend:</p>
          {createdInvite ? <CopyInvite invite={createdInvite} /> : <p class="pl-hint" role="status">Making the invite…</p>}
          <p>or read them the code:</p>
          <CopyCode code={created.code} />
          <button data-testid="open-created" onClick={() => open(created.roomId)}>Open the room</button>
        </div>
      ) : null}
      <PagePanel state={state} send={send} open={open} />
      <JoinForm state={state} send={send} open={open} />
      <nav aria-label="Your rooms">
      <ul class="pl-room-list" data-testid="room-list">
        {state.rooms.map((room) => (
          <li key={room.roomId}>
            <button class="pl-room" data-testid="room" data-room-id={room.roomId} data-problem={room.problem ? '' : undefined} onClick={() => open(room.roomId)}>
              <span class="pl-room-name" data-testid="room-name">{room.name}</span>
              {room.muted ? <span class="pl-muted-mark" data-testid="room-muted" aria-label="muted">🔕</span> : null}
              {room.pageRoom ? <span class="pl-page-room-mark" data-testid="room-page-room" title="A page's public room: anyone who can guess the page's address can join and read it">page room · public</span> : null}
              {pageLines(state, room.roomId) > 0 ? <span class="pl-page-activity-mark" data-testid="room-page-activity">{pageLines(state, room.roomId)} on this page</span> : null}
              {room.lastAt !== null ? <time class="pl-last-at" data-testid="last-at" dateTime={new Date(room.lastAt).toISOString()}>{whenWords(room.lastAt)}</time> : null}
              {room.unread > 0 ? <span class="pl-unread" data-testid="unread">{room.unread}</span> : null}
              {room.unread > 0 ? <span class="pl-sr-only"> unread</span> : null}
              {severalRelays ? <span class="pl-last pl-relay" data-testid="room-list-relay" title={room.relayUrl}>on {relayHost(room.relayUrl)}</span> : null}
              {room.problem ? <span class="pl-last pl-room-refused" data-testid="room-list-problem">{room.problem}</span> : null}
              <span class="pl-last" data-testid="last-message">
                {room.lastText === null ? 'No messages yet' : `${room.lastNick ? room.lastNick + ': ' : ''}${room.lastText}`}
              </span>
            </button>
          </li>
        ))}
      </ul>
      </nav>
    </section>
  );
}

/** Lines of this room's thread for the page the popup is over (page-activity), 0 if none. */
function pageLines(state: ViewState, roomId: string): number {
  return state.pageActivity?.rooms.find((r) => r.roomId === roomId)?.count ?? 0;
}
