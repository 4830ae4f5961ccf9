import type { ClientFrameType, ClientToRelay } from '../src/shared/protocol.ts';
import type { AddressQuotas } from './address-quotas.ts';
import type { RelayConfig } from './config.ts';
import type { HistoryStore } from './history-store.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Peer } from './peer.ts';
import type { RoomRegistry } from './room-registry.ts';

/** What every handler may use; built once per relay by server.ts. */
export interface RelayContext {
  readonly config: RelayConfig;
  readonly rooms: RoomRegistry;
  readonly history: HistoryStore;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly quotas: AddressQuotas;
}

export type FrameOf<T extends ClientFrameType> = Extract<ClientToRelay, { type: T }>;

/** Handlers are synchronous: a frame is fully handled before the next one is read. */
export type Handler<T extends ClientFrameType> = (ctx: RelayContext, peer: Peer, frame: FrameOf<T>) => void;
