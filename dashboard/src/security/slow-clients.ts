/**
 * Slowloris: a client that sends its headers a byte at a time, or never finishes its request,
 * must not hold a socket. Node's http server closes it (408) after `headersTimeoutMs` for the
 * headers and `requestTimeoutMs` for the whole request; it only looks every
 * `connectionsCheckingInterval` (30 s by default, so we ask for `timeoutCheckMs`). Idle
 * keep-alive connections go after `keepAliveTimeoutMs`.
 */
import type { ServerOptions } from 'node:http';
import type { SecurityOptions } from './options.ts';

export function slowClientLimits(opts: SecurityOptions): ServerOptions {
  return {
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    connectionsCheckingInterval: opts.timeoutCheckMs,
  };
}
