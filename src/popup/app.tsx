import { useState } from 'preact/hooks';
import { POPUP_PORT } from '../shared/view-messages.ts';
import { StatusBanner } from '../ui/status-banner.tsx';
import { useBackground } from '../ui/use-background.ts';
import { logPaging } from '../ui/log-paging.ts';
import { StorageProblem } from '../ui/storage-problem.tsx';
import { RoomList } from './room-list.tsx';
import { RoomView } from './room-view.tsx';
import { SettingsForm } from './settings-form.tsx';

type Screen = { name: 'rooms' } | { name: 'room'; roomId: string } | { name: 'settings' };

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'rooms' });
  const roomId = screen.name === 'room' ? screen.roomId : null;
  const { state, send, dismissError } = useBackground(POPUP_PORT, roomId);
  const room = state.rooms.find((r) => r.roomId === roomId) ?? null;

  return (
    <main class="pl-popup" data-connection={state.connection}>
      <header class="pl-header">
        {screen.name === 'rooms' ? <h1>Parley</h1> : (
          <button class="pl-back" data-testid="back" onClick={() => setScreen({ name: 'rooms' })} aria-label="Back to rooms">‹ Rooms</button>
        )}
        <span class={`pl-conn pl-${state.connection}`} data-testid="connection" title={`Relay: ${state.connection}`}>{state.connection}</span>
        {screen.name === 'rooms' ? (
          <button class="pl-icon" data-testid="open-settings" onClick={() => setScreen({ name: 'settings' })} aria-label="Settings">⚙</button>
        ) : null}
      </header>
      {/* In a room, its own relay; on the room list, every relay in use that has something to say. */}
      {(room ? state.relays.filter((r) => r.url === room.relayUrl) : state.relays).map((relay) => (
        <StatusBanner key={relay.url} relay={relay} send={send} several={state.relays.length > 1} />
      ))}
      <StorageProblem problem={state.storageProblem} />
      {state.error ? (
        <div class="pl-error" role="alert" data-testid="error" data-code={state.error.code}>
          <span>{state.error.message}</span>
          <button onClick={dismissError} aria-label="Dismiss">×</button>
        </div>
      ) : null}
      {screen.name === 'rooms' ? (
        <RoomList state={state} send={send} open={(id) => { dismissError(); setScreen({ name: 'room', roomId: id }); }} />
      ) : screen.name === 'settings' ? (
        state.settings ? <SettingsForm settings={state.settings} check={state.relayCheck} send={send} done={() => setScreen({ name: 'rooms' })} /> : null
      ) : room ? (
        <RoomView room={room} items={state.items} send={send} left={() => setScreen({ name: 'rooms' })} paging={logPaging(state, send, room.roomId)} />
      ) : null}
    </main>
  );
}
