import type { BackgroundToView, ChatItem } from '../shared/view-messages.ts';

type LineChange = Extract<BackgroundToView, { type: 'room-item' | 'room-items' | 'room-item-removed' }>;

export const isLineChange = (m: BackgroundToView): m is LineChange =>
  m.type === 'room-item' || m.type === 'room-items' || m.type === 'room-item-removed';

/**
 * Line changes for watching views, held while the serial queue has more work and sent as one
 * room-items per room when it drains: a replay of thousands of frames is a few posts, not one
 * per frame. Only each line's last state is kept (a line shown then taken back is sent removed),
 * which is all a view needs, since it applies changes by id.
 */
export class ViewBatch {
  readonly #held = new Map<string, Map<string, ChatItem | null>>();

  constructor(private readonly send: (roomId: string, message: BackgroundToView) => void) {}

  hold(message: LineChange): void {
    let room = this.#held.get(message.roomId);
    if (!room) this.#held.set(message.roomId, (room = new Map()));
    const changes: [string, ChatItem | null][] = message.type === 'room-item-removed'
      ? [[message.id, null]]
      : (message.type === 'room-item' ? [message.item] : message.items).map((i) => [i.id, i]);
    for (const [id, item] of changes) {
      room.delete(id); // re-added last, so the batch keeps the order changes came in
      room.set(id, item);
    }
  }

  /** Sends what is held for `roomId` (every room if absent). */
  flush(roomId?: string): void {
    const rooms = roomId === undefined ? [...this.#held.keys()] : [roomId];
    for (const id of rooms) {
      const room = this.#held.get(id);
      if (!room) continue;
      this.#held.delete(id);
      const items: ChatItem[] = [];
      const removed: string[] = [];
      for (const [lineId, item] of room) {
        if (item) items.push(item);
        else removed.push(lineId);
      }
      if (items.length === 1) this.send(id, { type: 'room-item', roomId: id, item: items[0]! });
      else if (items.length > 1) this.send(id, { type: 'room-items', roomId: id, items });
      for (const lineId of removed) this.send(id, { type: 'room-item-removed', roomId: id, id: lineId });
    }
  }
}
