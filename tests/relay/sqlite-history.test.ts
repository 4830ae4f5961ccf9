import { describe, expect, it, onTestFinished } from 'vitest';
import type { HistoryStore } from '../../relay/history-store.ts';
import { openSqliteHistory } from '../../relay/sqlite-history.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId } from './client.ts';

function store(maxCount = 100, maxAgeMs = 1_000): HistoryStore {
  const history = openSqliteHistory(':memory:', { maxCount, maxAgeMs, roomMaxBytes: 1 << 30, storeMaxBytes: 1 << 30 });
  onTestFinished(() => history.close());
  return history;
}

const message = (id = newMessageId()) => ({ id, from: 'p0000000000000000', body: 'abc' });

describe('sqlite history store', () => {
  it('drops messages older than the age limit on append', () => {
    const history = store(100, 1_000);
    const room = newRoomId();
    history.append(room, message(), 0);
    history.append(room, message(), 500);
    history.append(room, message(), 1_200);
    expect(history.readAfter(room, 0, 10).map((m) => m.seq)).toEqual([2, 3]);
    expect(history.head(room)).toBe(3);
  });

  it('prune drops expired messages in every room, and forgets empty idle rooms that are not live', () => {
    const history = store(100, 1_000);
    const [busy, idle, live] = [newRoomId(), newRoomId(), newRoomId()];
    history.append(busy, message(), 0);
    history.append(busy, message(), 2_000); // trims the first one on append already
    history.append(idle, message(), 0);
    history.openRoom(live, 0);
    expect(history.prune(2_500, (room) => room === live)).toEqual({ messages: 1, rooms: 1 });
    expect(history.hasRoom(idle)).toBe(false);
    expect(history.hasRoom(live)).toBe(true);
    expect(history.readAfter(busy, 0, 10).map((m) => m.seq)).toEqual([2]);
  });

  it('reports created only for a new room', () => {
    const history = store();
    const room = newRoomId();
    expect(history.hasRoom(room)).toBe(false);
    expect(history.openRoom(room, 0)).toBe(true);
    expect(history.openRoom(room, 1)).toBe(false);
    expect(history.head(room)).toBe(0);
  });

  it('dedups by (room, id) only', () => {
    const history = store();
    const [one, two] = [newRoomId(), newRoomId()];
    const id = newMessageId();
    expect(history.append(one, message(id), 0)).toMatchObject({ duplicate: false, message: { seq: 1 } });
    expect(history.append(one, message(id), 5)).toMatchObject({ duplicate: true, message: { seq: 1, at: 0 } });
    expect(history.append(two, message(id), 0)).toMatchObject({ duplicate: false, message: { seq: 1 } });
    expect(history.stats()).toMatchObject({ rooms: 2, messages: 2 });
  });
});
