import { useEffect, useRef, useState } from 'preact/hooks';
import { POPUP_PORT } from '../shared/view-messages.ts';
import { StatusBanner } from '../ui/status-banner.tsx';
import { useBackground } from '../ui/use-background.ts';
import { logPaging } from '../ui/log-paging.ts';
import { StorageProblem } from '../ui/storage-problem.tsx';
import { RoomList } from './room-list.tsx';
import { RoomView } from './room-view.tsx';
import { useScreenFocus } from './screen-focus.ts';
import { onEscape } from '../ui/escape-closes.ts';
import { SettingsForm } from './settings-form.tsx';
import { pageInvite } from './page-tab.ts';

type Screen = { name: 'rooms' } | { name: 'room'; roomId: string } | { name: 'settings' };

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'rooms' });
  const roomId = screen.name === 'room' ? screen.roomId : null;
  const { state, send, dismissError } = useBackground(POPUP_PORT, roomId);
  const room = state.rooms.find((r) => r.roomId === roomId) ?? null;
  // Back on the room list, the focus returns to the control that left it.
  const [left, setLeft] = useState<string | null>(null);
  const main = useRef<HTMLElement>(null);
  useScreenFocus(main, roomId ?? screen.name, screen.name === 'rooms' ? left : null);
  const toRooms = () => { setLeft(roomId ? `[data-testid=room][data-room-id="${roomId}"]` : '[data-testid=open-settings]'); setScreen({ name: 'rooms' }); };
  // Once, with the first state: reopen on the room the popup was last showing.
  const [reopened, setReopened] = useState(false);
  const known = state.settings !== null;
  useEffect(() => {
    if (!known || reopened) return;
    const last = state.lastRoomId;
    if (last === null || !state.rooms.some((r) => r.roomId === last)) {
      setReopened(true);
      return;
    }
    // Opened over an invite link: the room list, where that invite is offered, comes first.
    void pageInvite().then((invite) => {
      if (invite === null) setScreen((s) => (s.name === 'rooms' ? { name: 'room', roomId: last } : s));
      setReopened(true);
    });
  }, [known]);

  // Escape leaves the settings unsaved, as Back does (what opened inside a screen closes first).
  return (
    <main class="pl-popup" data-connection={state.connection} data-ready={reopened ? 'true' : undefined} ref={main} onKeyDown={screen.name === 'settings' ? onEscape(toRooms) : undefined}>
      <header class="pl-header">
        {screen.name === 'rooms' ? <h1>Parley</h1> : (
          <>
            <h1 class="pl-sr-only">Parley</h1>
            <button class="pl-back" data-testid="back" onClick={() => {
              // Said at once, not after the next render: a popup closed right after "‹ Rooms" must
              // still reopen on the list (state.lastRoomId).
              send({ type: 'watch-room', roomId: null });
              toRooms();
            }} aria-label="Back to rooms">‹ Rooms</button>
          </>
        )}
        <span class={`pl-conn pl-${state.connection}`} data-testid="connection" role="status" title={`Relay: ${state.connection}`}>{state.connection}</span>
        {screen.name === 'rooms' ? (
          <button class="pl-icon" data-testid="open-settings" onClick={() => setScreen({ name: 'settings' })} aria-label="Settings">⚙</button>
        ) : null}
      </header>
      {/* In a room, its own relay; on the room list, every relay in use that has something to say. */}
      {(room ? state.relays.filter((r) => r.url === room.relayUrl) : state.relays).map((relay) => (
        <StatusBanner key={relay.url} relay={relay} send={send} several={state.relays.length > 1} />
      ))}
      <StorageProblem problem={state.storageProblem} />
      {/* STORAGE_FULL says what the banner above already says, for as long as it is shown: once is enough. */}
      {state.error && !(state.error.code === 'STORAGE_FULL' && state.storageProblem) ? (
        <div class="pl-error" role="alert" data-testid="error" data-code={state.error.code}>
          <span>{state.error.message}</span>
          <button onClick={dismissError} aria-label="Dismiss">×</button>
        </div>
      ) : null}
      {screen.name === 'rooms' ? (
        <RoomList state={state} send={send} open={(id) => { dismissError(); setScreen({ name: 'room', roomId: id }); }} />
      ) : screen.name === 'settings' ? (
        state.settings ? <SettingsForm settings={state.settings} check={state.relayCheck} send={send} done={toRooms} keptSites={state.keptSites} directProblem={state.directProblem} directUnavailable={state.directUnavailable} /> : null
      ) : room ? (
        <RoomView key={room.roomId} room={room} items={state.items} presence={state.presence} send={send} left={() => { setLeft(null); setScreen({ name: 'rooms' }); }} search={state.search} paging={logPaging(state, send, room.roomId)} thread={state.thread ?? null} overlayTabs={state.overlayTabs} keptSites={state.keptSites} quotePreview={state.quotePreview ?? null} directOnly={state.settings?.directOnly === true && state.settings.directConnections === true} />
      ) : null}
    </main>
  );
}
