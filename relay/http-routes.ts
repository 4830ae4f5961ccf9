import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION } from '../src/shared/constants.ts';
import { JOIN_PAGE_HEADERS } from './join-page.ts';
import type { AccessLog } from './access-log.ts';
import type { Logger } from './log.ts';
import type { MetricGauges, Metrics } from './metrics.ts';

export interface HttpDeps {
  readonly metrics: Metrics;
  /** Cheap enough for a probe every second; `gauges` also counts the store's rows. */
  readonly health: () => { connections: number; rooms: number; unavailable?: string | undefined };
  readonly gauges: () => MetricGauges;
  readonly startedAt: number;
  /** The join page's HTML (relay/join-page.ts). */
  readonly joinPage: string;
  readonly log: Logger;
  readonly accessLog: AccessLog;
  /** The client's address key (after TRUSTED_PROXIES), for the access record. */
  readonly addressOf: (req: IncomingMessage) => string;
}

const PATHS = new Set(['/healthz', '/metrics', '/join']);

/** Plain HTTP on the WebSocket port: health for orchestrators, metrics for Prometheus, the join page. */
export function httpRoutes(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Never the query string (nor a fragment, which browsers never send but a raw client could).
    const path = (req.url ?? '/').split(/[?#]/)[0]!;
    res.once('finish', () => {
      deps.accessLog.record(req, res, path, deps.addressOf(req));
    });
    if (!PATHS.has(path)) {
      reply(res, 404, 'application/json', JSON.stringify({ ok: false, error: 'not found' }));
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      reply(res, 405, 'application/json', JSON.stringify({ ok: false, error: 'method not allowed' }));
    } else if (path === '/join') {
      res.writeHead(200, JOIN_PAGE_HEADERS);
      res.end(req.method === 'HEAD' ? undefined : deps.joinPage);
    } else if (path === '/healthz') {
      const { connections, rooms, unavailable } = deps.health();
      const uptimeS = Math.round((Date.now() - deps.startedAt) / 1000);
      // A browser extension whose socket did not open reads this to tell a busy relay from
      // something else on the port; only extension origins, and only here (nothing here is secret).
      const origin = req.headers.origin;
      if (origin !== undefined && EXTENSION_ORIGIN.test(origin)) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'origin');
      }
      // A load balancer's health check must stop sending clients to an instance that can only answer INTERNAL.
      if (unavailable !== undefined) reply(res, 503, 'application/json', JSON.stringify({ ok: false, error: unavailable, protocol: PROTOCOL_VERSION, uptimeS, connections, rooms }));
      else reply(res, 200, 'application/json', JSON.stringify({ ok: true, protocol: PROTOCOL_VERSION, uptimeS, connections, rooms }));
    } else {
      reply(res, 200, 'text/plain; version=0.0.4; charset=utf-8', deps.metrics.render(deps.gauges()));
    }
  };
}

const EXTENSION_ORIGIN = /^(chrome|moz)-extension:\/\/[a-z0-9-]{1,64}$/;

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
