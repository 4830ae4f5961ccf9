import type { Background } from './context.ts';
import { newRelayLink, type RelayLink } from './relay-link.ts';

/**
 * The links in use, one per relay: opened when a room or a waiting join needs that relay, stopped
 * and forgotten when none is left. `makeSocket` builds a link's socket (index.ts wires its events
 * into the serial queue with that link).
 */
export class RelayLinks {
  readonly #links = new Map<string, RelayLink>();
  /** Reasons heard from relays no link is open to yet (the settings check), for the link that opens. */
  readonly #heard = new Map<string, string>();

  constructor(private readonly makeSocket: (url: string, link: () => RelayLink | undefined) => RelayLink['socket']) {}

  get(url: string): RelayLink | undefined {
    return this.#links.get(url);
  }

  /** The link to `url`, opened (and its socket asked to connect) if there was none. */
  open(url: string): RelayLink {
    let link = this.#links.get(url);
    if (!link) {
      let self: RelayLink | undefined;
      // The socket's events name the link they belong to, but only while it is still in use.
      link = self = newRelayLink(url, this.makeSocket(url, () => (this.#links.get(url) === self ? self : undefined)));
      this.#links.set(url, link);
      const reason = this.#heard.get(url);
      this.#heard.delete(url);
      if (reason !== undefined) link.socket.heard(url, reason);
    }
    link.socket.want(url);
    return link;
  }

  /** The relay at `url` gave `reason` to a socket of ours that is not a link's (relay-socket.ts, heard). */
  heard(url: string, reason: string | undefined): void {
    const link = this.#links.get(url);
    if (link) link.socket.heard(url, reason);
    else if (reason !== undefined) this.#heard.set(url, reason);
  }

  close(url: string): void {
    const link = this.#links.get(url);
    if (!link) return;
    this.#links.delete(url);
    clearTimeout(link.retryTimer);
    link.socket.stop();
  }

  /** Keeps open exactly the links to `urls`. */
  keep(urls: Set<string>): void {
    for (const url of [...this.#links.keys()]) if (!urls.has(url)) this.close(url);
    for (const url of urls) this.open(url);
  }

  all(): RelayLink[] {
    return [...this.#links.values()];
  }
}

/** Every relay a stored room or a waiting join is on. */
export async function relaysInUse(bg: Background): Promise<Set<string>> {
  const urls = new Set<string>();
  for (const room of bg.mem.rooms.values()) urls.add(room.relayUrl);
  for (const pending of bg.pendingJoins.values()) urls.add(pending.record.relayUrl);
  return urls;
}

/** Closes the link to `url` if no room and no waiting join needs it any more. */
export async function closeIfUnused(bg: Background, url: string): Promise<void> {
  if (!(await relaysInUse(bg)).has(url)) bg.links.close(url);
}

/** The link of the relay stored room `roomId` lives on, if that link is open. */
export async function linkOfRoom(bg: Background, roomId: string): Promise<RelayLink | undefined> {
  const room = bg.mem.rooms.get(roomId);
  return room ? bg.links.get(room.relayUrl) : undefined;
}

/** Whether `roomId` (stored, or a join waiting) lives on `link`'s relay: a frame about any other room is not this link's. */
export async function isOnLink(bg: Background, link: RelayLink, roomId: string): Promise<boolean> {
  const pending = bg.pendingJoins.get(roomId);
  if (pending) return pending.record.relayUrl === link.url;
  return bg.mem.rooms.get(roomId)?.relayUrl === link.url;
}
