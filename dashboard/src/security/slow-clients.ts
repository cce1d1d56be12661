/**
 * Slowloris: a client that sends its headers a byte at a time, or never finishes its request,
 * must not hold a socket. Node's http server closes it (408) after `headersTimeoutMs` for the
 * headers and `requestTimeoutMs` for the whole request; it only looks every
 * `connectionsCheckingInterval` (30 s by default, so we ask for `timeoutCheckMs`). Idle
 * keep-alive connections go after `keepAliveTimeoutMs`.
 *
 * Many idle sockets at once (guardConnections): timeouts alone let a thousand sockets that never
 * send a byte hold the process's open files for 20 s, and at `ulimit -n` 1024 that starves every
 * device and page. So the listener also caps
 * - its open connections, under the HTTP share of the open-file limit (connectionBudget in
 *   runtime/src/knobs.ts: the MQTT share stays for the devices whatever happens here);
 * - connections with no request in progress (none sent yet, or an idle keep-alive): per source
 *   address (a reverse proxy trusted with CAMPUS_HTTP_TRUST_PROXY is exempt), and in all. Past
 *   the total, or at the connection cap, the one idle longest is closed to make room: a browser
 *   that connects sends its request at once and is served, a socket that sends nothing is not kept.
 * What was refused or closed is counted in campus_http_refused_total{reason}.
 */
import { BlockList, isIP, type Socket } from 'node:net';
import type { Server, ServerOptions } from 'node:http';
import { connectionBudget, lowOpenFileLimitWarning, type Log, type MetricsRegistry } from '@campus/runtime';
import type { SecurityOptions } from './options.ts';
import { countRefusal } from './refusals.ts';

export function slowClientLimits(opts: SecurityOptions): ServerOptions {
  return {
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    connectionsCheckingInterval: opts.timeoutCheckMs,
  };
}

export interface ConnectionLimits {
  /** open connections at most (default 10,000, or the HTTP share of the open-file limit when lower) */
  maxConnections?: number;
  /** connections with no request in progress, from all addresses (default: half of maxConnections) */
  maxIdle?: number;
  /** ...from one address (default 64: a few browsers behind one NAT keep about 6 each) */
  maxIdlePerAddress?: number;
  /** express "trust proxy" (CAMPUS_HTTP_TRUST_PROXY): these addresses are exempt from the per-address cap */
  trustProxy?: boolean | string;
  /** the open-file limit the default cap is sized from (default: this process's) */
  openFileLimit?: number;
}

interface Connection {
  addr: string;
  socket: Socket;
  /** requests in progress (pipelined ones overlap) */
  active: number;
  /** upgraded to a WebSocket: socket.io's own timeouts and auth govern it from then on */
  upgraded: boolean;
}

/** Caps the connections of `server` (see the top of this file); returns the limits in force. */
export function guardConnections(server: Server, limits: ConnectionLimits, metrics: MetricsRegistry, log: Log): Required<Omit<ConnectionLimits, 'trustProxy' | 'openFileLimit'>> {
  const maxConnections = limits.maxConnections ?? Math.min(10_000, connectionBudget(limits.openFileLimit).http);
  const maxIdle = limits.maxIdle ?? Math.max(1, Math.floor(maxConnections / 2));
  const maxIdlePerAddress = limits.maxIdlePerAddress ?? 64;
  const trusted = trustedProxies(limits.trustProxy ?? false);
  if (limits.openFileLimit === undefined) {
    const warning = lowOpenFileLimitWarning('the dashboard', `${maxConnections} HTTP connections`);
    if (warning) log.warn(warning);
  }

  const open = new Map<Socket, Connection>();
  /** connections with no request in progress, idle longest first */
  const idle = new Set<Connection>();
  const idleByAddress = new Map<string, number>();
  const setIdle = (c: Connection, yes: boolean) => {
    if (yes === idle.has(c)) return;
    const n = (idleByAddress.get(c.addr) ?? 0) + (yes ? 1 : -1);
    if (n > 0) idleByAddress.set(c.addr, n);
    else idleByAddress.delete(c.addr);
    if (yes) idle.add(c);
    else idle.delete(c);
  };
  const evictIdlest = () => {
    const c = idle.values().next().value;
    if (!c) return false;
    countRefusal(metrics, 'idle_evicted');
    setIdle(c, false);
    open.delete(c.socket);
    c.socket.destroy();
    return true;
  };

  server.on('connection', (socket: Socket) => {
    const addr = normalise(socket.remoteAddress);
    const refuse = (reason: 'connection_cap' | 'idle_per_address') => {
      countRefusal(metrics, reason);
      socket.destroy();
    };
    if (!trusted(addr) && (idleByAddress.get(addr) ?? 0) >= maxIdlePerAddress) return refuse('idle_per_address');
    if (idle.size >= maxIdle) evictIdlest();
    if (open.size >= maxConnections && !evictIdlest()) return refuse('connection_cap');
    const c: Connection = { addr, socket, active: 0, upgraded: false };
    open.set(socket, c);
    setIdle(c, true);
    socket.once('close', () => {
      setIdle(c, false);
      open.delete(socket);
    });
  });
  // registered after socket.io's own listener (live.ts), so this one sees its requests too
  server.on('request', (req, res) => {
    const c = open.get(req.socket);
    if (!c) return;
    c.active++;
    setIdle(c, false);
    res.once('close', () => {
      c.active--;
      if (c.active === 0 && !c.upgraded && open.has(c.socket)) setIdle(c, true);
    });
  });
  server.on('upgrade', (req) => {
    const c = open.get(req.socket);
    if (!c) return;
    c.upgraded = true;
    setIdle(c, false);
  });
  return { maxConnections, maxIdle, maxIdlePerAddress };
}

/** The addresses of a trusted reverse proxy, as express's "trust proxy" names them. */
function trustedProxies(trust: boolean | string): (addr: string) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  const list = new BlockList();
  const named: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
    loopback: [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
    linklocal: [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
    uniquelocal: [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ],
  };
  for (const entry of trust.split(',').map((s) => s.trim()).filter(Boolean)) {
    const subnets = named[entry];
    if (subnets) for (const [net, prefix, type] of subnets) list.addSubnet(net, prefix, type);
    else {
      const [net = '', prefix] = entry.split('/');
      const type = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      if (!isIP(net)) continue; // express refuses it at start already
      if (prefix === undefined) list.addAddress(net, type);
      else list.addSubnet(net, Number(prefix), type);
    }
  }
  return (addr) => isIP(addr) !== 0 && list.check(addr, isIP(addr) === 6 ? 'ipv6' : 'ipv4');
}

/** "::ffff:10.0.0.5" and "10.0.0.5" are the same address. */
function normalise(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
