import type { Redis } from 'ioredis';
import type { RoomIdText } from '../src/shared/protocol.ts';
import type { Logger } from './log.ts';
import { errorText } from './log.ts';
import { heartbeatKey, INSTANCES_KEY, instanceRoomsKey, membersKey, roomChannel, type Scripts } from './redis-scripts.ts';

/**
 * This instance among the others on one Redis: a heartbeat key that expires `ttlMs` after the last
 * refresh (refreshed every third of it), the set of rooms it has members in, and a sweep that finds
 * instances whose heartbeat is gone and takes their members out of those rooms, announcing LEFT
 * once per member (the removal script announces only what it removed itself).
 */
export class RedisPresence {
  /** Instances seen dead: their member entries are not listed even before the sweep removed them. */
  readonly #dead = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly instance: string,
    private readonly redis: Redis,
    private readonly scripts: Scripts,
    private readonly ttlMs: number,
    private readonly log: Logger,
    /** Called when this instance finds its own heartbeat had expired: the others may have evicted its members. */
    private readonly onLapsed: () => void,
  ) {}

  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beat().then(() => this.#sweep()).catch((error: unknown) => {
        // While Redis is unreachable redis_down has said it; one line per beat would say nothing new.
        if (this.redis.status === 'ready') this.log.error('redis_heartbeat_failed', { error: errorText(error) });
      });
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    this.#timer.unref();
  }

  isDead(instance: string): boolean {
    return this.#dead.has(instance);
  }

  roomJoined(room: RoomIdText): Promise<unknown> {
    return this.redis.sadd(instanceRoomsKey(this.instance), room);
  }

  roomLeft(room: RoomIdText): Promise<unknown> {
    return this.redis.srem(instanceRoomsKey(this.instance), room);
  }

  /** Refreshes every local room's entry in the rooms set (after a Redis that lost its data). */
  rooms(rooms: readonly RoomIdText[]): Promise<unknown> {
    return rooms.length === 0 ? Promise.resolve() : this.redis.sadd(instanceRoomsKey(this.instance), ...rooms);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Leaves the instance list at once, rather than after its heartbeat expires. */
  async close(): Promise<void> {
    this.stop();
    await this.redis.multi().del(heartbeatKey(this.instance), instanceRoomsKey(this.instance)).srem(INSTANCES_KEY, this.instance).exec();
  }

  async #beat(): Promise<void> {
    const [[, previous] = [], [, added] = []] = (await this.redis.multi()
      .set(heartbeatKey(this.instance), '1', 'PX', this.ttlMs, 'GET')
      .sadd(INSTANCES_KEY, this.instance)
      .exec()) ?? [];
    // Missing from the instance list means another instance forgot this one as dead: a lapse too.
    if ((previous === null || added === 1) && this.#timer !== undefined) {
      this.log.warn('redis_heartbeat_lapsed', { instance: this.instance });
      this.onLapsed();
    }
  }

  async #sweep(): Promise<void> {
    const others = (await this.redis.smembers(INSTANCES_KEY)).filter((id) => id !== this.instance);
    if (others.length === 0) return;
    const alive = await Promise.all(others.map((id) => this.redis.exists(heartbeatKey(id))));
    for (const [i, id] of others.entries()) {
      if (alive[i] === 1) this.#dead.delete(id);
      else await this.#evict(id);
    }
  }

  /**
   * Removes a dead instance's members from all its rooms; safe to run on several instances at once.
   * Every step checks in Redis that its heartbeat is still missing: one that beats again between
   * steps (back after an outage) keeps its entries and its rooms set, and resyncs having lapsed.
   */
  async #evict(instance: string): Promise<void> {
    this.#dead.add(instance);
    try {
      const heartbeat = heartbeatKey(instance);
      const rooms = (await this.redis.smembers(instanceRoomsKey(instance))) as RoomIdText[];
      let removed = 0;
      for (const room of rooms) {
        const count = Number(await this.scripts.parleyEvict([membersKey(room), heartbeat], [instance, roomChannel(room)]));
        if (count < 0) {
          this.log.info('redis_instance_back', { instance });
          return;
        }
        removed += count;
      }
      await this.scripts.parleyForget([heartbeat, instanceRoomsKey(instance), INSTANCES_KEY], [instance]);
      if (removed > 0) this.log.info('redis_instance_evicted', { instance, rooms: rooms.length, members: removed });
    } finally {
      this.#dead.delete(instance);
    }
  }
}
