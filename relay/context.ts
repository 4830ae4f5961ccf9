import type { ClientFrameType, ClientToRelay } from '../src/shared/protocol.ts';
import type { AddressQuotas } from './address-quotas.ts';
import type { Broker } from './broker.ts';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Peer } from './peer.ts';

/** What every handler may use; built once per relay by server.ts. */
export interface RelayContext {
  readonly config: RelayConfig;
  /** Membership, fan-out, sequence numbers, history and dedup (relay/broker.ts). */
  readonly broker: Broker;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly quotas: AddressQuotas;
}

export type FrameOf<T extends ClientFrameType> = Extract<ClientToRelay, { type: T }>;

/**
 * A handler may wait on the broker; its connection's next frame waits for it (relay/frame-queue.ts),
 * so a frame is fully handled before the next one of that connection starts.
 */
export type Handler<T extends ClientFrameType> = (ctx: RelayContext, peer: Peer, frame: FrameOf<T>) => void | Promise<void>;
