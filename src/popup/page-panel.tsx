import { useEffect, useRef, useState } from 'preact/hooks';
import { normalisePageUrl } from '../shared/page-url.ts';
import type { ViewToBackground } from '../shared/view-messages.ts';
import type { ViewState } from '../ui/use-background.ts';
import { pageLabel, useCurrentPage } from './current-page.ts';
import './page-rooms.css';

interface Props {
  state: ViewState;
  send: (msg: ViewToBackground) => void;
  open: (roomId: string) => void;
}

/**
 * On the room list, over a web page: "Chat about this page" (its public room, after saying
 * plainly who can read it), and which of the user's rooms have lines in their thread for it.
 */
export function PagePanel({ state, send, open }: Props) {
  const page = useCurrentPage();
  const [asking, setAsking] = useState(false);
  const [joining, setJoining] = useState(false);
  // Counted again whenever a room's last line moves: a new thread line may be among them.
  const roomsKey = state.rooms.map((r) => `${r.roomId}:${r.lastAt ?? 0}`).join(',');
  // The answer held when this panel last asked: an answer counts as this panel's once it differs.
  const before = useRef<ViewState['pageActivity'] | 'none'>('none');
  useEffect(() => {
    if (!page) return;
    before.current = state.pageActivity;
    send({ type: 'page-activity', url: page.url });
  }, [page?.url, roomsKey]);
  useEffect(() => {
    if (joining && state.ready && !state.ready.created) {
      setJoining(false);
      open(state.ready.roomId);
    }
  }, [state.ready]);
  useEffect(() => {
    if (state.error) setJoining(false);
  }, [state.error]);
  if (!page) return null;
  const active = state.pageActivity?.rooms ?? [];
  const normal = normalisePageUrl(page.url);
  // Set once the background answered for this page since the panel asked: "no room here" is then an answer, not a wait.
  const answered = before.current !== 'none' && state.pageActivity !== before.current && normal.ok && state.pageActivity?.url === normal.value;
  return (
    <section class="pl-page-panel" data-testid="page-panel" aria-label="This page" data-activity-answered={answered ? 'true' : undefined}>
      <p class="pl-page-title" title={page.url}>On <strong>{pageLabel(page)}</strong></p>
      {!asking ? (
        <button data-testid="chat-about-page" onClick={() => setAsking(true)}>Chat about this page</button>
      ) : (
        <div class="pl-page-warning" data-testid="page-room-warning" role="note">
          <p>
            This page's room is <strong>public</strong>: anyone who can guess this page's address can join and read it.
            It is public to the page's visitors. Say nothing here you would not say in public.
          </p>
          <div class="pl-row">
            <button data-testid="join-page-room" disabled={joining} onClick={() => { setJoining(true); send({ type: 'join-page-room', url: page.url, title: page.title }); }}>
              {joining ? 'Finding the page’s room…' : 'Join the page’s room'}
            </button>
            <button data-testid="cancel-page-room" onClick={() => { setAsking(false); setJoining(false); }}>Cancel</button>
          </div>
        </div>
      )}
      {active.length > 0 ? (
        <ul class="pl-page-activity" data-testid="page-activity" aria-label="Your rooms talking about this page">
          {active.map(({ roomId, count }) => {
            const room = state.rooms.find((r) => r.roomId === roomId);
            return room ? (
              <li key={roomId}>
                <button class="pl-link-button" data-testid="page-activity-room" data-room-id={roomId} data-count={count} onClick={() => open(roomId)}>
                  {room.name}: {count} {count === 1 ? 'line' : 'lines'} about this page
                </button>
              </li>
            ) : null;
          })}
        </ul>
      ) : null}
    </section>
  );
}
