import { OTHER_KEY_LABEL } from '../shared/identity-rules.ts';
import type { Member } from '../shared/view-messages.ts';
import { closeDetailsOnEscape } from '../ui/escape-closes.ts';
import './people.css';

/** "3 here", or "unknown" while the room's relay link is not online (never a stale count). */
export function hereWords(members: number | null): string {
  return members === null ? 'unknown' : `${members} here`;
}

/**
 * Who is in the room now (the relay's members, named by their sealed presence), each with the
 * fingerprint of the key that signed it and the safety code both sides see the same, to be
 * compared over a channel the two trust (in person, a call). Text only.
 */
export function People({ members }: { members: Member[] | null }) {
  const me = members?.find((m) => m.me) ?? null;
  const others = members?.filter((m) => !m.me) ?? [];
  return (
    <details class="pl-room-tools pl-people" data-testid="people" onKeyDown={closeDetailsOnEscape}>
      <summary>People here and safety codes <span data-testid="people-count">({hereWords(members?.length ?? null)})</span></summary>
      <p class="pl-hint">
        Read the safety code to the other person (in person or on a call). If theirs shows the same code for you,
        their messages really come from them.
      </p>
      {me?.fingerprint ? <p data-testid="own-fingerprint">Your key: <code class="pl-fp">{me.fingerprint}</code></p> : null}
      {members === null ? <p data-testid="people-unknown">Who is here is unknown while Parley is not connected to this room's relay.</p> : null}
      {members !== null && others.length === 0 ? <p>No one else is here now.</p> : null}
      <ul class="pl-people-list">
        {others.map((p) => (
          <li key={p.peer} data-testid="person" data-fingerprint={p.fingerprint ?? undefined} data-verified={p.fingerprint ? 'true' : 'false'}>
            <bdi class="pl-person" data-testid="person-name">{p.nick === null ? 'Someone (no name yet)' : p.nick || 'Anonymous'}</bdi>
            {' '}
            {/* A nickname first seen in this room under another key, worded as messages word it. */}
            {p.otherKey ? <><span class="pl-person-flag" data-testid="person-other-key">{OTHER_KEY_LABEL}</span>{' '}</> : null}
            {p.fingerprint
              ? <><span class="pl-verified" data-testid="person-verified" aria-label="verified">✓</span> <code class="pl-fp">{p.fingerprint}</code></>
              : <span class="pl-unverified-mark" data-testid="person-unverified">not verified</span>}
            {/* Direct connections on: whether their messages come over a data channel or through the relay. */}
            {p.path ? <>{' '}<span class="pl-path" data-testid="person-path" data-path={p.path} title={p.path === 'direct' ? 'Connected directly: messages do not wait for the relay' : 'Messages go through the relay'}>{p.path}</span></> : null}
            {p.safetyCode ? <div>Safety code: <code class="pl-code" data-testid="safety-code">{p.safetyCode}</code></div> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}
