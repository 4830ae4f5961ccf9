import { encodeFrame } from '../src/shared/codec.ts';
import type { PeerId, RelayToClient, RoomIdText } from '../src/shared/protocol.ts';
import type { Peer } from './peer.ts';

/** Who is in which room right now. Only rooms with members are here; the store remembers the rest. */
export class RoomRegistry {
  readonly #rooms = new Map<RoomIdText, Map<PeerId, Peer>>();

  get size(): number {
    return this.#rooms.size;
  }

  has(room: RoomIdText): boolean {
    return this.#rooms.has(room);
  }

  memberCount(room: RoomIdText): number {
    return this.#rooms.get(room)?.size ?? 0;
  }

  member(room: RoomIdText, peer: PeerId): Peer | undefined {
    return this.#rooms.get(room)?.get(peer);
  }

  otherMembers(room: RoomIdText, self: Peer): PeerId[] {
    return [...(this.#rooms.get(room)?.keys() ?? [])].filter((id) => id !== self.id);
  }

  add(room: RoomIdText, peer: Peer): void {
    let members = this.#rooms.get(room);
    if (members === undefined) this.#rooms.set(room, (members = new Map()));
    members.set(peer.id, peer);
  }

  remove(room: RoomIdText, peer: Peer): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    members.delete(peer.id);
    if (members.size === 0) this.#rooms.delete(room);
  }

  /**
   * Sends one frame to every member but `except`. With `liveOnly`, members still replaying history
   * are skipped: their replay reads the message from the store, in seq order.
   */
  broadcast(room: RoomIdText, frame: RelayToClient, except: Peer, liveOnly = false): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    const data = Buffer.from(encodeFrame(frame));
    for (const member of members.values()) {
      if (member === except) continue;
      if (liveOnly && member.rooms.get(room)?.live !== true) continue;
      member.sendEncoded(data);
    }
  }
}
