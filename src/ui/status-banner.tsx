import { useEffect, useState } from 'preact/hooks';
import type { RelayStatus, ViewToBackground } from '../shared/view-messages.ts';

/**
 * Why the relay connection is down and what happens next, e.g. "Can't reach wss://…: retrying in
 * 8 s [Retry now]". Shown by the popup and the overlay alike; nothing while all is well.
 */
export function StatusBanner({ relay, send, several = false }: {
  relay: RelayStatus | null | undefined;
  send: (msg: ViewToBackground) => void;
  /** Rooms are on more than one relay: words that do not name this one ("The relay is restarting.") get its address first. */
  several?: boolean;
}) {
  const now = useNow(relay?.retryAt != null);
  if (!relay || relay.connection === 'online' || relay.connection === 'offline' || !relay.problem) return null;
  const next = relay.retryAt !== null
    ? `retrying in ${Math.max(1, Math.ceil((relay.retryAt - now) / 1000))} s`
    : 'trying again now…';
  // "Can't reach …: retrying in 8 s", or after a full sentence "… settings. Retrying in 8 s."
  const sentence = relay.problem.endsWith('.');
  return (
    <div class="pl-status-banner" role="status" data-testid="relay-status" data-relay={relay.url} title={relay.url}>
      {/* One flex item, so the banner's gap does not open up between "wss://…" and ": retrying". */}
      <span>
        {several && !relay.problem.includes(relay.url) ? <span data-testid="relay-name">{relay.url}: </span> : null}
        <span data-testid="relay-problem">{relay.problem}</span>
        <span data-testid="relay-next">{sentence ? ` ${next.charAt(0).toUpperCase()}${next.slice(1)}${next.endsWith('…') ? '' : '.'}` : `: ${next}`}</span>
      </span>
      {/* Always there while the banner is, so it does not jump away under the pointer. */}
      <button data-testid="retry-now" onClick={() => send({ type: 'retry-now' })}>Retry now</button>
    </div>
  );
}

/** The time, ticking each second while something counts down. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

/** The relay's reason for keeping us out of one room, shown over that room's chat. */
export function RoomProblem({ problem }: { problem: string | null }) {
  if (!problem) return null;
  return <div class="pl-status-banner" role="status" data-testid="room-problem">{problem}</div>;
}
