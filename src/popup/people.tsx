import { OTHER_KEY_LABEL } from '../shared/identity-rules.ts';
import type { ChatItem } from '../shared/view-messages.ts';
import { closeDetailsOnEscape } from '../ui/escape-closes.ts';

interface Person {
  key: string;
  nicks: string[];
  fingerprint: string;
  safetyCode: string;
  otherKey: boolean;
}

/** Every verified key that wrote in this room, oldest first, with the nicknames it used. */
function peopleIn(items: ChatItem[]): { me: string | null; people: Person[] } {
  let me: string | null = null;
  const byKey = new Map<string, Person>();
  for (const item of items) {
    const s = item.sender;
    if (item.kind !== 'message' || !s?.verified) continue;
    if (item.mine) {
      me = s.fingerprint;
      continue;
    }
    const person = byKey.get(s.key) ?? { key: s.key, nicks: [], fingerprint: s.fingerprint, safetyCode: s.safetyCode ?? '', otherKey: false };
    const nick = item.nick || 'Anonymous';
    if (!person.nicks.includes(nick)) person.nicks.push(nick);
    person.otherKey ||= s.otherKey;
    byKey.set(s.key, person);
  }
  return { me, people: [...byKey.values()] };
}

/**
 * Who wrote here, by key: a safety code per person that both sides see the same, to be compared
 * over a channel the two trust (in person, a call). Text only.
 */
export function People({ items }: { items: ChatItem[] }) {
  const { me, people } = peopleIn(items);
  return (
    <details class="pl-room-tools pl-people" data-testid="people" onKeyDown={closeDetailsOnEscape}>
      <summary>People and safety codes</summary>
      <p class="pl-hint">
        Read the safety code to the other person (in person or on a call). If theirs shows the same code for you,
        their messages really come from them.
      </p>
      {me ? <p data-testid="own-fingerprint">Your key: <code class="pl-fp">{me}</code></p> : null}
      {people.length === 0 ? <p>No one else has written here yet.</p> : null}
      <ul class="pl-people-list">
        {people.map((p) => (
          <li key={p.key} data-testid="person" data-fingerprint={p.fingerprint}>
            <bdi class="pl-person" data-testid="person-name">{p.nicks.join(', ')}</bdi>
            {p.otherKey ? <span class="pl-flag"> {OTHER_KEY_LABEL}</span> : null}
            {' '}<code class="pl-fp">{p.fingerprint}</code>
            <div>Safety code: <code class="pl-code" data-testid="safety-code">{p.safetyCode}</code></div>
          </li>
        ))}
      </ul>
    </details>
  );
}
