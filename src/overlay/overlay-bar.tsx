import type { ConnectionStatus, RoomSummary, ViewToBackground } from '../shared/view-messages.ts';

const WORDS: Record<ConnectionStatus, string> = { online: 'Online', connecting: 'Connecting…', offline: 'Offline' };

/**
 * Under the overlay's title: which room it shows (a switcher over your rooms) and whether that
 * room's relay is reachable, in words, so a quiet chat is not mistaken for a dead one.
 */
export function OverlayBar({ rooms, roomId, connection, send }: { rooms: RoomSummary[]; roomId: string | null; connection: ConnectionStatus; send: (msg: ViewToBackground) => void }) {
  return (
    <div class="pl-overlay-bar">
      {rooms.length > 1 && roomId ? (
        <select data-testid="overlay-room" aria-label="Room" value={roomId}
          onChange={(e) => send({ type: 'switch-overlay-room', roomId: (e.currentTarget as HTMLSelectElement).value })}>
          {rooms.map((r) => <option key={r.roomId} value={r.roomId}>{r.name}{r.unread ? ` (${r.unread})` : ''}</option>)}
        </select>
      ) : rooms.length > 0 && !roomId ? (
        // No room shown (overlay.tsx NoRoom): the switcher is the way to one.
        <select data-testid="overlay-room" aria-label="Room" value=""
          onChange={(e) => send({ type: 'switch-overlay-room', roomId: (e.currentTarget as HTMLSelectElement).value })}>
          <option value="" disabled>Choose a room</option>
          {rooms.map((r) => <option key={r.roomId} value={r.roomId}>{r.name}{r.unread ? ` (${r.unread})` : ''}</option>)}
        </select>
      ) : <span class="pl-overlay-bar-fill" />}
      <span data-testid="overlay-connection" class={`pl-overlay-conn pl-conn-${connection}`} role="status">{WORDS[connection]}</span>
    </div>
  );
}
