/** One counter for everything the dashboard turns away, by reason (shown in /metrics). */
import type { Counter, MetricsRegistry } from '@campus/runtime';

export type RefusalReason =
  | 'unauthorized'
  | 'forbidden'
  | 'cross_origin'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'body_timeout'
  | 'socket_unauthorized'
  | 'socket_cross_origin'
  | 'socket_revoked'
  /** a socket.io handshake that threw (socket-guard.ts) */
  | 'socket_error'
  /** HTTP connections (slow-clients.ts): at the cap, too many idle ones from one address, the idlest closed to make room */
  | 'connection_cap'
  | 'idle_per_address'
  | 'idle_evicted';

export const refusals = (metrics: MetricsRegistry): Counter =>
  metrics.counter('campus_http_refused_total', 'requests and socket connections refused by the dashboard, by reason');

export const countRefusal = (metrics: MetricsRegistry, reason: RefusalReason): void => refusals(metrics).inc({ reason });
