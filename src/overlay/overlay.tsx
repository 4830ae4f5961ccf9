import { useEffect, useState } from 'preact/hooks';
import { OVERLAY_PORT } from '../shared/view-messages.ts';
import { ChatLog } from '../ui/chat-log.tsx';
import { useFocusLine, useMessageActions } from '../ui/use-message-actions.ts';
import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';
import { Composer } from '../ui/composer.tsx';
import { RoomProblem, StatusBanner } from '../ui/status-banner.tsx';
import { useBackground, type QuotePreviewMessage } from '../ui/use-background.ts';
import { TypingLine } from '../ui/typing-line.tsx';
import { logPaging, logProps, type LogPaging } from '../ui/log-paging.ts';
import { StorageProblem } from '../ui/storage-problem.tsx';
import { QuoteButton } from '../ui/quote-button.tsx';
import { OverlayBar } from './overlay-bar.tsx';
import { NoRoom } from './no-room.tsx';

/**
 * The overlay's content: one room's chat, chosen by the background for this tab. It runs as an
 * extension page in a frame, so the page around it cannot read, type into or listen to it.
 */
export function Overlay() {
  const [roomId, setRoomId] = useState<string | null>(null);
  const { state, send } = useBackground(OVERLAY_PORT, roomId);
  const close = () => send({ type: 'close-overlay' });
  // Null: the background does not know this tab's room (a restarted worker): keep showing ours,
  // which our link tells it again as it reconnects.
  useEffect(() => {
    if (state.overlayRoom !== null) setRoomId(state.overlayRoom);
  }, [state.overlayRoom]);
  const room = state.rooms.find((r) => r.roomId === roomId);
  const relay = room ? state.relays.find((r) => r.url === room.relayUrl) : undefined;
  return (
    <div class="pl-overlay" data-testid="overlay" role="dialog" aria-labelledby="pl-overlay-title">
      <div class="pl-overlay-head">
        <strong id="pl-overlay-title">{room ? room.name : 'Parley'}</strong>
        <button data-testid="close-overlay" onClick={close} aria-label="Close chat">×</button>
      </div>
      <OverlayBar rooms={state.rooms} roomId={room ? room.roomId : null} connection={relay ? relay.connection : state.connection} send={send} />
      <StatusBanner relay={room ? state.relays.find((r) => r.url === room.relayUrl) : state.relays[0]} send={send} several={state.relays.length > 1} />
      <StorageProblem problem={state.storageProblem} />
      {state.error && room ? <div class="pl-status-banner" role="alert" data-testid="error">{state.error.message}</div> : null}
      {room ? (
        <>
          <RoomProblem problem={room.problem} />
          <OverlayChat items={state.items} send={send} roomId={room.roomId} typing={state.presence.typing} paging={logPaging(state, send, room.roomId)} quotePreview={state.quotePreview ?? null} directOnly={state.settings?.directOnly === true && state.settings.directConnections === true} />
        </>
      ) : state.keptSites !== undefined ? (
        // The first state came (keptSites is absent until then): no room is the answer, not a wait.
        <NoRoom rooms={state.rooms.length} error={state.error ? state.error.message : null} />
      ) : (
        <div class="pl-log pl-empty">{state.error ? state.error.message : 'Connecting…'}</div>
      )}
    </div>
  );
}

function OverlayChat({ items, send, roomId, typing, paging, quotePreview = null, directOnly = false }: { items: ChatItem[]; send: (msg: ViewToBackground) => void; roomId: string; typing: string[]; paging: LogPaging; quotePreview?: QuotePreviewMessage | null; directOnly?: boolean }) {
  const { focusId, focus } = useFocusLine(send, roomId, items, paging.cursor);
  const { actions, composer } = useMessageActions(send, roomId, items, focus);
  return (
    <>
      <ChatLog items={items} actions={actions} focusId={focusId} {...logProps(paging)} />
      <TypingLine typing={typing} />
      <QuoteButton send={send} roomId={roomId} items={items} preview={quotePreview} />
      <Composer {...composer} directOnly={directOnly} onTyping={(on) => send({ type: 'typing', roomId, typing: on })} />
    </>
  );
}
