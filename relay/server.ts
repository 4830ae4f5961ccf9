import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeFrame } from '../src/shared/codec.ts';
import { KEEPALIVE_INTERVAL_MS } from '../src/shared/constants.ts';
import { ERROR_CODES } from '../src/shared/protocol.ts';
import { AccessLog } from './access-log.ts';
import { addressKey } from './address-key.ts';
import { clientAddresses } from './client-address.ts';
import { AddressLedger } from './address-ledger.ts';
import { AddressQuotas } from './address-quotas.ts';
import { ConfigError, connectionByteBurstKb, resolveConfig, type RelayConfig } from './config.ts';
import type { RelayContext } from './context.ts';
import { httpRoutes } from './http-routes.ts';
import { joinPage } from './join-page.ts';
import { leaveAllRooms } from './leave-room.ts';
import { createLogger, errorText } from './log.ts';
import { Metrics, storeGauges, type MetricGauges } from './metrics.ts';
import { originPolicy } from './origin-policy.ts';
import { FrameQueue } from './frame-queue.ts';
import { HandshakeGuard } from './handshake-guard.ts';
import { Peer, type CloseCode } from './peer.ts';
import { RateGate } from './rate-gate.ts';
import { receiveFrame } from './receive-frame.ts';
import { TokenBucket } from './token-bucket.ts';
import { loadTlsPair, TlsReloader, type TlsPair } from './tls-reload.ts';
import { openBroker } from './open-broker.ts';

/** How long closing clients get to answer the close handshake before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 2_000;
const PRUNE_INTERVAL_MS = 60_000;
const IDLE_SWEEP_MAX_MS = 5_000;

export interface RunningRelay {
  /** ws:// or wss:// URL of the bound address (the real port when port 0 was asked for). */
  readonly url: string;
  readonly port: number;
  readonly config: RelayConfig;
  readonly metrics: Metrics;
  /** Stops accepting, closes every client with SHUTTING_DOWN (4010), then closes the store. */
  close(): Promise<void>;
  /** Loads TLS_CERT/TLS_KEY again for new connections (SIGHUP); nothing without TLS. */
  reloadTls(): void;
}

export interface RelayOptions {
  /** Where log lines go (tests read them); stdout by default. */
  readonly writeLog?: (line: string) => void;
}

export async function startRelay(overrides: Partial<RelayConfig> = {}, options: RelayOptions = {}): Promise<RunningRelay> {
  const config = resolveConfig(overrides);
  const log = createLogger(config.logLevel, options.writeLog);
  if (config.idleTimeoutMs < KEEPALIVE_INTERVAL_MS) {
    // Allowed (tests use short timeouts), but the extension would be cut between its keepalives.
    log.warn('idle_timeout_below_keepalive', { IDLE_TIMEOUT_MS: config.idleTimeoutMs, KEEPALIVE_INTERVAL_MS });
  }
  const tlsPaths = config.tlsCert !== null && config.tlsKey !== null ? { cert: config.tlsCert, key: config.tlsKey } : null;
  const tls = tlsPaths === null ? null : readTlsPair(tlsPaths);
  const broker = await openBroker(config, log);
  const metrics = new Metrics();
  const ledger = new AddressLedger(config);
  // An address with a connection open keeps its quotas, so the quota tables cannot be made to forget it.
  const live = (key: string): boolean => (ledger.peek(key)?.open ?? 0) > 0;
  const ctx: RelayContext = { config, broker, metrics, log, quotas: new AddressQuotas(config, live) };
  const peers = new Set<Peer>();
  // Every accepted socket, including those being turned away, so shutdown can wait for all of them.
  const sockets = new Set<WebSocket>();
  const clients = clientAddresses(config.trustedProxies);
  const addressOf = (req: IncomingMessage): string => addressKey(clients.of(req));
  const handshakes = new HandshakeGuard(ledger, config, (code) => metrics.countError(code), clients.isTrustedProxy);
  // The gate of each open connection, so the idle sweep can tell a held client from a silent one.
  const gates = new Map<Peer, RateGate>();
  const allowOrigin = originPolicy(config.allowedOrigins);
  const peerOptions = {
    maxBufferedBytes: config.maxBufferedKb * 1024,
    maxAddressBufferedBytes: config.addressMaxBufferedKb * 1024,
    maxTotalBufferedBytes: config.totalMaxBufferedKb * 1024,
    closeGraceMs: config.stallTimeoutMs,
  };
  // Two full-size frames, so one long message always fits even right after another.
  const byteBurst = connectionByteBurstKb(config) * 1024;
  const gateOptions = { holdFrames: config.rateBurst, holdBytes: byteBurst };
  let shuttingDown = false;

  const gauges = (): MetricGauges => ({ connections: peers.size, rooms: broker.localRooms, ...storeGauges(ctx),
    unsentBytes: ledger.totals.queuedBytes });
  const health = () => ({ connections: peers.size, rooms: broker.localRooms, unavailable: broker.unavailable?.() });
  const routes = httpRoutes({ metrics, health, gauges, startedAt: Date.now(), joinPage: joinPage(config.installUrl), log, addressOf,
    accessLog: new AccessLog(config, log, metrics) });
  const server = tls === null ? createHttpServer(routes) : createHttpsServer(tls, routes);
  // One keep-alive socket cannot pipeline requests without end (docs/protocol.md, "HTTP endpoints");
  // the handshake guard cuts a socket that has not upgraded within HANDSHAKE_TIMEOUT_MS anyway.
  server.maxRequestsPerSocket = config.maxRequestsPerSocket;
  server.headersTimeout = config.handshakeTimeoutMs;
  server.requestTimeout = config.handshakeTimeoutMs;
  // Past the limit node would answer every further pipelined request with a 503 until the timeout;
  // a client that keeps sending after `Connection: close` is not owed that work.
  server.on('dropRequest', (_req, socket) => socket.destroy());
  const tlsReloader = tlsPaths === null ? null : new TlsReloader(server as HttpsServer, tlsPaths, log, config.tlsReloadMs);
  const wss = new WebSocketServer({
    server,
    // Off: compression costs CPU per frame, and relay/peer.ts writes fan-out frames straight to the
    // socket only when ws holds no frames of its own (it would, while compressing).
    perMessageDeflate: false,
    // Frames up to the hard cap are read, charged and answered FRAME_TOO_LARGE, so a client can
    // tell "too big" from a broken connection; beyond it ws closes with 1009 before buffering more.
    maxPayload: config.frameHardCapKb * 1024,
    clientTracking: false,
  });
  server.on('connection', (socket) => handshakes.accept(socket));
  wss.on('error', (error) => log.error('server_error', { error: errorText(error) }));
  server.on('clientError', (error, socket) => {
    log.debug('http_client_error', { error: error.message });
    socket.destroy();
  });

  // Policies are applied after the upgrade rather than by refusing it: a browser reports a refused
  // upgrade only as an anonymous 1006, while a close code tells the extension exactly what happened.
  const turnAway = (socket: WebSocket, req: IncomingMessage, code: CloseCode): void => {
    metrics.countError(code);
    socket.send(encodeFrame({ type: 'ERROR', code, message: ERROR_CODES[code].text }));
    socket.close(ERROR_CODES[code].close, code);
    // It still counts as a handshake until it closes, and one that never answers the close is cut
    // after a short grace, not ws's 30 s close timeout: turned-away sockets are bounded like handshakes.
    handshakes.turnedAway(req);
  };

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    // First, always: an 'error' without a listener would throw and take the whole relay down.
    socket.on('error', (error) => log.debug('socket_error', { error: error.message }));
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));

    const client = addressOf(req);
    const admitted = handshakes.upgraded(req, client);
    const entry = admitted?.entry ?? ledger.entry(client, performance.now());
    const origin = req.headers.origin;
    if (shuttingDown) return turnAway(socket, req, 'SHUTTING_DOWN');
    if (!allowOrigin(origin)) {
      log.debug('origin_denied', { origin });
      return turnAway(socket, req, 'ORIGIN_DENIED');
    }
    if (admitted?.tooFast === true) return turnAway(socket, req, 'CONNECTING_TOO_FAST');
    if (entry === undefined || entry.open >= config.maxConnectionsPerAddress) return turnAway(socket, req, 'TOO_MANY_CONNECTIONS');
    if (ledger.totals.open >= config.maxConnections) return turnAway(socket, req, 'RELAY_FULL');
    handshakes.admitted(req);
    entry.open++;
    ledger.totals.open++;

    const peer = new Peer(socket, peerOptions, metrics, (leaving) => leaveAllRooms(ctx, leaving), entry, ledger.totals);
    peers.add(peer);
    ctx.quotas.bind(peer, entry.key);
    metrics.connectionsTotal++;
    log.debug('connected', { peer: peer.id, origin });
    const now = performance.now();
    const own = {
      frames: new TokenBucket(config.ratePerSec, config.rateBurst, now),
      bytes: new TokenBucket(config.rateKbPerSec * 1024, byteBurst, now),
    };
    const frames = new FrameQueue();
    const gate = new RateGate(
      socket,
      [own, entry.budget],
      gateOptions,
      (data, isBinary) => frames.push(() => receiveFrame(ctx, peer, data, isBinary)),
      () => peer.error('RATE_LIMITED'),
    );
    gates.set(peer, gate);
    socket.on('message', (data, isBinary) => {
      const now = performance.now();
      peer.lastHeardAt = now;
      metrics.framesIn++;
      gate.offer(data, isBinary, now);
    });
    socket.on('ping', () => {
      peer.lastHeardAt = performance.now();
    });
    socket.once('close', (code) => {
      gate.close();
      frames.close();
      gates.delete(peer);
      peer.closed();
      peers.delete(peer);
      entry.open--;
      ledger.totals.open--;
      log.debug('disconnected', { peer: peer.id, code });
    });
  });

  // One sweep for all connections instead of a timer each: cheaper at 10,000 idle sockets.
  const idleSweep = setInterval(() => {
    const now = performance.now();
    const cutoff = now - config.idleTimeoutMs;
    for (const peer of peers) {
      if (!peer.open) continue;
      // Frames the gate holds were heard; the client is waiting on the relay, not silent.
      if (gates.get(peer)?.holding === true) peer.lastHeardAt = now;
      if (peer.stalled(now, config.stallTimeoutMs)) peer.close('SLOW_CONSUMER');
      else if (peer.lastHeardAt < cutoff) peer.close('IDLE_TIMEOUT');
    }
    ledger.sweep(now);
  }, Math.min(IDLE_SWEEP_MAX_MS, Math.max(10, Math.min(config.idleTimeoutMs, config.stallTimeoutMs) / 4)));
  idleSweep.unref();

  const pruneSweep = setInterval(() => {
    broker.prune(Date.now()).then((pruned) => {
      if (pruned.messages > 0 || pruned.rooms > 0) log.info('history_pruned', pruned);
    }, (error: unknown) => log.error('prune_failed', { error: errorText(error) }));
  }, PRUNE_INTERVAL_MS);
  pruneSweep.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(idleSweep);
    clearInterval(pruneSweep);
    tlsReloader?.stop();
    await broker.close();
    throw error;
  }

  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls === null ? 'ws' : 'wss'}://${host}:${port}`;
  // With REDIS_URL the SQLite path is not used: name the store that is (without a password).
  log.info('listening', { url, store: config.redisUrl === null ? config.historyPath : 'redis' });

  const allSocketsClosed = (timeoutMs: number): Promise<void> =>
    new Promise((resolve) => {
      if (sockets.size === 0) return resolve();
      const timer = setTimeout(resolve, timeoutMs);
      for (const socket of sockets) {
        socket.once('close', () => {
          if (sockets.size > 0) return;
          clearTimeout(timer);
          resolve();
        });
      }
    });

  const shutdown = async (): Promise<void> => {
    shuttingDown = true;
    clearInterval(idleSweep);
    clearInterval(pruneSweep);
    tlsReloader?.stop();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const peer of peers) peer.close('SHUTTING_DOWN');
    await allSocketsClosed(SHUTDOWN_GRACE_MS);
    for (const socket of sockets) socket.terminate();
    server.closeAllConnections();
    await serverClosed;
    wss.close();
    await broker.close();
    log.info('stopped');
  };
  let closing: Promise<void> | undefined;

  return {
    url, port, config, metrics,
    close: () => (closing ??= shutdown()),
    reloadTls: () => tlsReloader?.reload('signal'),
  };
}

function readTlsPair(paths: { cert: string; key: string }): TlsPair {
  try {
    return loadTlsPair(paths);
  } catch (error) {
    throw new ConfigError(`TLS_CERT/TLS_KEY: cannot use ${paths.cert} and ${paths.key}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
