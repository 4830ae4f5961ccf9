import type { Redis } from 'ioredis';
import type { RoomIdText } from '../src/shared/protocol.ts';

/*
 * The Redis key layout and the Lua scripts that change it (docs/protocol.md, "Several instances on
 * Redis"). Rules:
 * - Every key of a room carries the room id as its hash tag, `{ROOM}`, so the scripts touch one
 *   slot and a Redis Cluster can host them. Keys of instances are apart; only the presence scripts
 *   that sweep a dead instance (EVICT_LUA, FORGET_LUA) touch them, and EVICT_LUA pairs a room's key
 *   with an instance's heartbeat: two slots, so those two are what a Cluster could not run.
 * - Whatever must be atomic is one script: a publish checks dedup, numbers, appends, trims,
 *   refreshes the room's expiry and PUBLISHes the frame in one step, so pub/sub order is seq order.
 * - The clock is Redis's (TIME): one clock for every instance.
 * - A room whose meta hash is missing is a lost room (expired, evicted, or a Redis that lost its
 *   data): the next script that creates it deletes what is left of its other keys and starts the
 *   numbering again with a new epoch.
 * - Dedup is a hash per room (id -> "seq:at:from"), not a key per message: its entries leave with
 *   the messages that trimming drops, so dedup covers exactly the retained history (as with SQLite),
 *   and the whole room expires as four keys.
 * - Every script that touches a room sets its keys to expire HISTORY_MAX_AGE_MS later, so a room
 *   idle that long vanishes whole.
 * - What the scripts publish on a room's channel is read by relay/redis-channel.ts (formats there).
 */

export const PREFIX = 'parley:';

export const roomKeys = (room: RoomIdText): [meta: string, log: string, ids: string, members: string] => [
  `${PREFIX}{${room}}:meta`,
  `${PREFIX}{${room}}:log`,
  `${PREFIX}{${room}}:ids`,
  `${PREFIX}{${room}}:members`,
];
export const membersKey = (room: RoomIdText): string => `${PREFIX}{${room}}:members`;
export const roomChannel = (room: RoomIdText): string => `${PREFIX}{${room}}`;
/** The room id back from a channel name. */
export const channelRoom = (channel: string): RoomIdText => channel.slice(PREFIX.length + 1, -1) as RoomIdText;

export const INSTANCES_KEY = `${PREFIX}instances`;
export const heartbeatKey = (instance: string): string => `${PREFIX}instance:${instance}`;
export const instanceRoomsKey = (instance: string): string => `${PREFIX}instance:${instance}:rooms`;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nowText = string.format('%.0f', now)
`;

/** Creates the room when its meta is missing; sets `created`. Needs KEYS meta, log, ids. */
const OPEN_ROOM = `
local created = redis.call('HSETNX', KEYS[1], 'epoch', nowText)
if created == 1 then
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[1], 'head', 0, 'bytes', 0)
end
`;

/**
 * Redis evicts key by key (docs/protocol.md, "Several instances on Redis"): a room whose stream went
 * alone keeps its numbering, but its dedup entries and stored size describe messages that are gone,
 * so they go too, or retention would count them forever. Needs `created` (OPEN_ROOM) before it.
 */
const LOG_LOST = `
if created == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[1], 'bytes', 0)
end
`;

const EXPIRE = (age: string) => `
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ${age}) end
`;

/**
 * KEYS meta, log, ids, members. ARGV id, from, body, the CHATMSG JSON before the body, the JSON
 * after it up to and including `"seq":`, maxCount, maxAgeMs, roomMaxBytes, per-message overhead, channel.
 * Returns {1, seq, at, epoch} for a new message, {0, "seq:at:from", epoch} for a duplicate.
 */
export const PUBLISH_LUA = `
${NOW}
${OPEN_ROOM}
${LOG_LOST}
-- After the room-loss check: an id of a lost numbering is never a duplicate.
local old = redis.call('HGET', KEYS[3], ARGV[1])
if old then return {0, old, redis.call('HGET', KEYS[1], 'epoch')} end
local maxCount, maxAge, maxBytes, overhead = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local seq = redis.call('HINCRBY', KEYS[1], 'head', 1)
local seqText = string.format('%d', seq)
redis.call('XADD', KEYS[2], seqText .. '-1', 'id', ARGV[1], 'from', ARGV[2], 'body', ARGV[3], 'at', nowText)
redis.call('HSET', KEYS[3], ARGV[1], seqText .. ':' .. nowText .. ':' .. ARGV[2])
local bytes = redis.call('HINCRBY', KEYS[1], 'bytes', #ARGV[3] + overhead)
local count = redis.call('XLEN', KEYS[2])
local cutoff = now - maxAge
while count > 1 do
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  local f = oldest[2]
  if count <= maxCount and bytes <= maxBytes and tonumber(f[8]) >= cutoff then break end
  redis.call('XDEL', KEYS[2], oldest[1])
  redis.call('HDEL', KEYS[3], f[2])
  bytes = redis.call('HINCRBY', KEYS[1], 'bytes', -(#f[6] + overhead))
  count = count - 1
end
${EXPIRE('ARGV[7]')}
local epoch = redis.call('HGET', KEYS[1], 'epoch')
redis.call('PUBLISH', ARGV[10], 'm ' .. epoch .. ' ' .. seqText .. ' ' .. ARGV[2] .. ' ' .. ARGV[4] .. ARGV[3] .. ARGV[5] .. seqText .. ',"at":' .. nowText .. '}')
return {1, seq, nowText, epoch}
`;

/**
 * KEYS meta, log, ids, members. ARGV maxAgeMs, instance, channel, mode, per-message overhead, peers…
 * Trims messages older than maxAgeMs first (a room with members and no new messages would keep them).
 * mode "announce": the peers join and JOINED is published for each; "quiet": they join (a rejoin)
 * and `r <peer>` is published, which only the joining instance reads (where its snapshot ends);
 * "resync": the instance's entries become exactly these peers (after a reconnect): JOINED for an
 * entry that was missing (another instance took it for dead), LEFT for one no longer here; a peer
 * written `~peer` is only kept (its join is under way and writes its entry itself).
 * Returns {created, head, epoch, {peer, instance, peer, instance, …} (all members after the
 * change), retained messages, stored bytes}. Run for every local room after a reconnect and once a
 * minute, which also keeps a quiet room with members from expiring.
 */
export const REGISTER_LUA = `
${NOW}
${OPEN_ROOM}
${LOG_LOST}
local cutoff, overhead = now - tonumber(ARGV[1]), tonumber(ARGV[5])
while true do
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  if not oldest or tonumber(oldest[2][8]) >= cutoff then break end
  redis.call('XDEL', KEYS[2], oldest[1])
  redis.call('HDEL', KEYS[3], oldest[2][2])
  redis.call('HINCRBY', KEYS[1], 'bytes', -(#oldest[2][6] + overhead))
end
local mode = ARGV[4]
local mine = {}
for i = 6, #ARGV do
  if string.sub(ARGV[i], 1, 1) == '~' then
    mine[string.sub(ARGV[i], 2)] = true
  else
    mine[ARGV[i]] = true
    local added = redis.call('HSET', KEYS[4], ARGV[i], ARGV[2])
    if mode == 'announce' or (mode == 'resync' and added == 1) then redis.call('PUBLISH', ARGV[3], 'j ' .. ARGV[i])
    elseif mode == 'quiet' then redis.call('PUBLISH', ARGV[3], 'r ' .. ARGV[i]) end
  end
end
local all = redis.call('HGETALL', KEYS[4])
local members = {}
for i = 1, #all, 2 do
  if mode == 'resync' and all[i + 1] == ARGV[2] and not mine[all[i]] then
    redis.call('HDEL', KEYS[4], all[i])
    redis.call('PUBLISH', ARGV[3], 'l ' .. all[i])
  else
    members[#members + 1] = all[i]
    members[#members + 1] = all[i + 1]
  end
end
${EXPIRE('ARGV[1]')}
local m = redis.call('HMGET', KEYS[1], 'head', 'epoch', 'bytes')
return {created, tonumber(m[1]), m[2], members, redis.call('XLEN', KEYS[2]), tonumber(m[3])}
`;

/**
 * KEYS members. ARGV instance, channel, peer (optional). Removes the peer's entry, or every entry
 * of the instance, but only entries that name the instance, and PUBLISHes LEFT for each entry this
 * call removed (so of several instances sweeping the same dead one, one announces). Returns the count.
 */
export const REMOVE_LUA = `
local removed = 0
local function remove(peer)
  if redis.call('HDEL', KEYS[1], peer) == 1 then
    removed = removed + 1
    redis.call('PUBLISH', ARGV[2], 'l ' .. peer)
  end
end
if ARGV[3] then
  if redis.call('HGET', KEYS[1], ARGV[3]) == ARGV[1] then remove(ARGV[3]) end
else
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do if all[i + 1] == ARGV[1] then remove(all[i]) end end
end
return removed
`;

/**
 * KEYS meta, log. ARGV afterSeq, limit. Returns {head, entries} read at one instant; a room whose
 * meta is gone is lost, and what is left of its stream belongs to a dead numbering: nothing.
 */
export const READ_LUA = `
local head = redis.call('HGET', KEYS[1], 'head')
if not head then return {0, {}} end
head = tonumber(head)
local from = string.format('%d', tonumber(ARGV[1]) + 1) .. '-0'
return {head, redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', ARGV[2])}
`;

/**
 * KEYS members, heartbeat of the instance. ARGV instance, channel. REMOVE_LUA for every entry of a
 * dead instance, but only while its heartbeat is missing: the check and the removal are one step,
 * so an instance that beats again meanwhile keeps its entries (it resyncs, having lapsed).
 */
export const EVICT_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local removed = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i + 1] == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('PUBLISH', ARGV[2], 'l ' .. all[i])
    removed = removed + 1
  end
end
return removed
`;

/** KEYS heartbeat, rooms set, instances set. ARGV instance. Forgets a dead instance, only if still dead. */
export const FORGET_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

const SCRIPTS = {
  parleyPublish: [4, PUBLISH_LUA],
  parleyRegister: [4, REGISTER_LUA],
  parleyRemove: [1, REMOVE_LUA],
  parleyRead: [2, READ_LUA],
  parleyEvict: [2, EVICT_LUA],
  parleyForget: [3, FORGET_LUA],
} as const;

type Reply = unknown;
export type ScriptName = keyof typeof SCRIPTS;
export type Scripts = { readonly [N in ScriptName]: (keys: readonly string[], args: readonly (string | number)[]) => Promise<Reply> };

/**
 * Defines the scripts on a connection (ioredis runs them by SHA and sends the text again only on
 * NOSCRIPT, e.g. after a Redis restart) and loads each once, so a script Redis rejects fails startup.
 */
export async function defineScripts(redis: Redis): Promise<Scripts> {
  const scripts: Partial<Record<ScriptName, Scripts[ScriptName]>> = {};
  for (const [name, [numberOfKeys, lua]] of Object.entries(SCRIPTS) as [ScriptName, readonly [number, string]][]) {
    redis.defineCommand(name, { numberOfKeys, lua });
    await redis.script('LOAD', lua);
    const command = (redis as unknown as Record<ScriptName, (...args: (string | number)[]) => Promise<Reply>>)[name].bind(redis);
    scripts[name] = (keys, args) => command(...keys, ...args);
  }
  return scripts as Scripts;
}
