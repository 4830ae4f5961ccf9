import { encodeFrame } from '../src/shared/codec.ts';
import type { PeerId, RelayToClient, RoomIdText } from '../src/shared/protocol.ts';
import { toChatFrame, type StoredMessage } from './history-store.ts';
import type { Membership, Peer } from './peer.ts';
import { wireFrame, type WireFrame } from './wire-frame.ts';

interface Member {
  readonly peer: Peer;
  readonly membership: Membership;
}

/**
 * Who is in which room on this relay right now, each with the membership of its current join, so
 * fan-out reads the live flag without a lookup per member. Only rooms with members are here; the
 * store remembers the rest.
 */
export class RoomRegistry {
  readonly #rooms = new Map<RoomIdText, Map<PeerId, Member>>();

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
    return this.#rooms.get(room)?.get(peer)?.peer;
  }

  otherMembers(room: RoomIdText, self: Peer): PeerId[] {
    return [...(this.#rooms.get(room)?.keys() ?? [])].filter((id) => id !== self.id);
  }

  /** A rejoin replaces the membership, which is how the earlier join's replay knows to stop. */
  add(room: RoomIdText, peer: Peer, membership: Membership): void {
    let members = this.#rooms.get(room);
    if (members === undefined) this.#rooms.set(room, (members = new Map()));
    members.set(peer.id, { peer, membership });
  }

  /** False when the peer was not a member. */
  remove(room: RoomIdText, peer: Peer): boolean {
    const members = this.#rooms.get(room);
    if (members?.get(peer.id)?.peer !== peer) return false;
    members.delete(peer.id);
    if (members.size === 0) this.#rooms.delete(room);
    return true;
  }

  /** Sends one unsequenced frame (JOINED, LEFT) to every member but `except`. */
  broadcast(room: RoomIdText, frame: RelayToClient, except: Peer): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    const data = wireFrame(Buffer.from(encodeFrame(frame)));
    for (const { peer } of members.values()) if (peer !== except) peer.sendEncoded(data);
  }

  /**
   * Sends an EPHEMERAL frame, encoded once, to every live member but the sender, and only to those
   * with nothing unsent (Peer.sendIfIdle): it is never stored, so a replaying member simply misses it.
   */
  broadcastEphemeral(room: RoomIdText, frame: Buffer | WireFrame, sender: PeerId): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    for (const { peer, membership } of members.values()) if (peer.id !== sender && membership.live) peer.sendIfIdle(frame);
  }

  /**
   * Sends a stored message to every live member but the sender, encoded once. Members still
   * replaying are skipped (their replay reads it from the store), and so is any member that has
   * been given this seq already.
   */
  fanOut(room: RoomIdText, message: StoredMessage, sender: Peer): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    let data: WireFrame | undefined;
    for (const { peer, membership } of members.values()) {
      if (peer === sender || !membership.live || message.seq <= membership.delivered) continue;
      membership.delivered = message.seq;
      peer.sendEncoded((data ??= wireFrame(Buffer.from(encodeFrame(toChatFrame(message))))));
    }
  }
}
