import { useEffect, useState } from 'preact/hooks';
import { parseRoomCode } from '../shared/room-code.ts';
import type { ViewToBackground } from '../shared/view-messages.ts';
import type { ViewState } from '../ui/use-background.ts';
import { CopyCode } from './copy-code.tsx';

interface Props {
  state: ViewState;
  send: (msg: ViewToBackground) => void;
  open: (roomId: string) => void;
}

export function RoomList({ state, send, open }: Props) {
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [joining, setJoining] = useState(false);

  // A join opens the room once the relay has confirmed it; a create shows its code first.
  useEffect(() => {
    if (state.ready && !state.ready.created && joining) {
      setJoining(false);
      setCode('');
      open(state.ready.roomId);
    }
  }, [state.ready]);
  useEffect(() => {
    if (state.error) setJoining(false);
  }, [state.error]);

  const join = (e: Event) => {
    e.preventDefault();
    const parsed = parseRoomCode(code);
    if (!parsed.ok) {
      setCodeError(parsed.error.message);
      return;
    }
    setCodeError(null);
    setJoining(true);
    send({ type: 'join-room', code, name: '' });
  };

  const created = state.ready?.created ? state.ready : null;
  return (
    <section class="pl-rooms">
      <div class="pl-actions">
        <button data-testid="create-room" onClick={() => send({ type: 'create-room', name: '' })}>Create a room</button>
      </div>
      {created ? (
        <div class="pl-created" data-testid="created-room">
          <p>Share this code with your friends:</p>
          <CopyCode code={created.code} />
          <button data-testid="open-created" onClick={() => open(created.roomId)}>Open the room</button>
        </div>
      ) : null}
      <form class="pl-join" onSubmit={join} noValidate>
        <label for="pl-code">Join with a code</label>
        <div class="pl-row">
          <input
            id="pl-code" data-testid="join-code" value={code} autocomplete="off" spellcheck={false}
            placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" aria-invalid={codeError ? 'true' : 'false'}
            onInput={(e) => { setCode(e.currentTarget.value); setCodeError(null); }}
          />
          <button type="submit" data-testid="join" disabled={joining}>{joining ? 'Joining…' : 'Join'}</button>
        </div>
        {codeError ? <p class="pl-field-error" role="alert" data-testid="code-error">{codeError}</p> : null}
      </form>
      <ul class="pl-room-list" data-testid="room-list">
        {state.rooms.map((room) => (
          <li key={room.roomId}>
            <button class="pl-room" data-testid="room" data-room-id={room.roomId} data-problem={room.problem ? '' : undefined} onClick={() => open(room.roomId)}>
              <span class="pl-room-name">{room.name}</span>
              {room.unread > 0 ? <span class="pl-unread" data-testid="unread">{room.unread}</span> : null}
              {room.problem ? <span class="pl-last pl-room-refused" data-testid="room-list-problem">{room.problem}</span> : null}
              <span class="pl-last" data-testid="last-message">
                {room.lastText === null ? 'No messages yet' : `${room.lastNick ? room.lastNick + ': ' : ''}${room.lastText}`}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
