import type { KeptSiteSummary, ViewToBackground } from '../shared/view-messages.ts';
import './kept-sites.css';

interface Props {
  keptSites: KeptSiteSummary[];
  send: (msg: ViewToBackground) => void;
}

/** Settings: the sites Parley is kept on, each with its room and a Remove that takes the grant back. */
export function KeptSitesList({ keptSites, send }: Props) {
  return (
    <section class="pl-kept-sites" aria-labelledby="pl-kept-title">
      <h2 id="pl-kept-title" class="pl-hint">Sites Parley is kept on</h2>
      {keptSites.length === 0 ? (
        <p class="pl-field-note" data-testid="kept-sites-none">None. "Keep Parley on this site" in a room adds the page's site; nothing is added to any page before.</p>
      ) : (
        <ul class="pl-kept-list" data-testid="kept-sites">
          {keptSites.map((s) => (
            <li key={s.origin} data-testid="kept-site" data-origin={s.origin}>
              <span data-testid="kept-site-origin">{s.origin}</span>
              {' '}
              <span class="pl-field-note" data-testid="kept-site-room">{s.roomName === null ? 'room left: opens on your latest room' : `in ${s.roomName}`}</span>
              {' '}
              {/* type=button: inside the settings form, it must not submit it. */}
              <button type="button" class="pl-danger" data-testid="forget-site" aria-label={`Remove ${s.origin}`} onClick={() => send({ type: 'forget-site', origin: s.origin })}>Remove</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
