import { ERROR_CODES, type ErrorCode } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';

/** Gauges read at scrape time from their owners, so they can never drift from the truth. */
export interface MetricGauges {
  readonly connections: number;
  readonly rooms: number;
  readonly storedRooms: number;
  readonly storedMessages: number;
  readonly storedBytes: number;
  /** Entries in each address quota's table, by quota. */
  readonly quotaAddresses: { readonly bytes: number; readonly rooms: number };
  /** Bytes handed to sockets and not yet written out, as the buffer bounds count them. */
  readonly unsentBytes: number;
}

/** The store's share of the gauges: its running totals, one row read, never a scan of the messages. */
export function storeGauges(ctx: Pick<RelayContext, 'broker' | 'quotas'>): Omit<MetricGauges, 'connections' | 'rooms' | 'unsentBytes'> {
  const stored = ctx.broker.stats();
  return {
    storedRooms: stored.rooms,
    storedMessages: stored.messages,
    storedBytes: stored.bytes,
    quotaAddresses: { bytes: ctx.quotas.bytes.size, rooms: ctx.quotas.rooms.size },
  };
}

/** Plain counters: the relay is one process and a scrape is rare, so no metrics library is needed. */
export class Metrics {
  connectionsTotal = 0;
  framesIn = 0;
  framesOut = 0;
  messagesStored = 0;
  accessRecordsDropped = 0;
  /** EPHEMERAL frames not handed to a member whose socket had unsent bytes. */
  ephemeralDropped = 0;
  readonly #errors = new Map<ErrorCode, number>();

  countError(code: ErrorCode): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  errors(code: ErrorCode): number {
    return this.#errors.get(code) ?? 0;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(gauges: MetricGauges): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [labels: string, value: number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('parley_relay_connections', 'gauge', 'Open client connections.', [['', gauges.connections]]);
    metric('parley_relay_connections_total', 'counter', 'Client connections accepted.', [['', this.connectionsTotal]]);
    metric('parley_relay_rooms', 'gauge', 'Rooms with at least one member.', [['', gauges.rooms]]);
    metric('parley_relay_stored_rooms', 'gauge', 'Rooms in the history store.', [['', gauges.storedRooms]]);
    metric('parley_relay_frames_in_total', 'counter', 'Frames received from clients.', [['', this.framesIn]]);
    metric('parley_relay_frames_out_total', 'counter', 'Frames sent to clients.', [['', this.framesOut]]);
    metric('parley_relay_messages_stored_total', 'counter', 'Chat messages stored (duplicates excluded).', [
      ['', this.messagesStored],
    ]);
    metric('parley_relay_stored_messages', 'gauge', 'Chat messages currently retained.', [['', gauges.storedMessages]]);
    metric('parley_relay_stored_bytes', 'gauge', 'Stored size of the retained messages (body + 64 bytes each).', [
      ['', gauges.storedBytes],
    ]);
    metric('parley_relay_quota_addresses', 'gauge', 'Addresses remembered by each address quota.', [
      ['{quota="bytes"}', gauges.quotaAddresses.bytes],
      ['{quota="rooms"}', gauges.quotaAddresses.rooms],
    ]);
    metric('parley_relay_unsent_bytes', 'gauge', 'Bytes handed to client sockets and not yet written out (the buffer bounds count these).', [
      ['', gauges.unsentBytes],
    ]);
    metric('parley_relay_access_records_dropped_total', 'counter', 'HTTP access records not written (over their rate limit).', [
      ['', this.accessRecordsDropped],
    ]);
    metric('parley_relay_ephemeral_dropped_total', 'counter', 'EPHEMERAL frames not handed to a member because its socket had unsent bytes.', [
      ['', this.ephemeralDropped],
    ]);
    metric(
      'parley_relay_errors_total',
      'counter',
      'Errors reported to clients, by code (frame errors and connection closes).',
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [`{code="${code}"}`, this.errors(code)]),
    );
    return `${lines.join('\n')}\n`;
  }
}
