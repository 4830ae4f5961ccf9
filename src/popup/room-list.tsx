import type { ViewToBackground } from '../shared/view-messages.ts';
import type { ViewState } from '../ui/use-background.ts';
import { CopyCode } from './copy-code.tsx';
import { CopyInvite } from './copy-invite.tsx';
import { JoinForm } from './join-form.tsx';
import { relayHost } from './relay-host.ts';

interface Props {
  state: ViewState;
  send: (msg: ViewToBackground) => void;
  open: (roomId: string) => void;
}

export function RoomList({ state, send, open }: Props) {
  const created = state.ready?.created ? state.ready : null;
  // The invite comes with the room's summary, which may arrive just after the room-ready.
  const createdInvite = created ? state.rooms.find((r) => r.roomId === created.roomId)?.invite ?? null : null;
  // Which relay a room lives on is worth a line only when the rooms are not all on one.
  const severalRelays = new Set(state.rooms.map((r) => r.relayUrl)).size > 1;
  return (
    <section class="pl-rooms">
      <div class="pl-actions">
        <button data-testid="create-room" onClick={() => send({ type: 'create-room', name: '' })}>Create a room</button>
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
      <JoinForm state={state} send={send} open={open} />
      <nav aria-label="Your rooms">
      <ul class="pl-room-list" data-testid="room-list">
        {state.rooms.map((room) => (
          <li key={room.roomId}>
            <button class="pl-room" data-testid="room" data-room-id={room.roomId} data-problem={room.problem ? '' : undefined} onClick={() => open(room.roomId)}>
              <span class="pl-room-name">{room.name}</span>
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
