/**
 * Who may open a connection at all, decided on the TCP connection before any MQTT is parsed, and
 * how long it may stay without logging in:
 *
 * - a cap on open connections, kept under this process's open-file limit (connectionBudget in
 *   runtime/src/knobs.ts): a flood of sockets must never take the descriptors that the database, the
 *   dashboard and the devices already connected need;
 * - connections that have not logged in yet ("pending"): at most `maxPendingPerAddress` of one
 *   address at once, and `maxPending` in all. Past that total, the oldest pending connection that
 *   has not sent a byte goes first (a device sends its CONNECT at once, an idle socket never), so
 *   a thousand idle sockets from many addresses cannot keep a real device out. aedes closes one
 *   that sends no CONNECT within `connectTimeoutMs`;
 * - a connection rate per source address (token bucket) counting only connections that do not log
 *   in: a login gives its token back, so a campus behind one NAT reconnecting after a broker
 *   restart is not refused, while a scanner churning sockets is;
 * - a ban for an address that failed to log in `banAfterFailures` times within `failureWindowMs`
 *   (EMQX's flapping detection does the same), lifted after `banMs`.
 *
 * Loopback is an address like any other unless `trustLoopback` (CAMPUS_MQTT_TRUST_LOOPBACK=on):
 * a reverse proxy or tunnel on this host would otherwise make every remote client "trusted".
 * Load tests and benchmarks that connect thousands of devices from 127.0.0.1 turn it on.
 */
import { isIP } from 'node:net';
import { connectionBudget, lowOpenFileLimitWarning } from '@campus/runtime';

export interface AdmissionOptions {
  /** open connections at most (default 20,000, or less to stay under the open-file limit) */
  maxConnections?: number;
  /** connections that have not logged in yet, from all addresses (default: half of maxConnections, at most 1,000) */
  maxPending?: number;
  /** ...and from one address (default 64) */
  maxPendingPerAddress?: number;
  /** a connection whose CONNECT has not arrived within this is closed (default 10 s; aedes' own default is 30 s) */
  connectTimeoutMs?: number;
  /** new connections per second per address that do not log in (default 20), with bursts of up to `connectBurst` (default 100) */
  connectRate?: number;
  connectBurst?: number;
  /** failed logins within the window that ban an address (default 10 in 60 s), for `banMs` (default 5 min) */
  banAfterFailures?: number;
  failureWindowMs?: number;
  banMs?: number;
  /** exempt 127.0.0.0/8 and ::1 from the rate limit, the per-address cap and bans (default false) */
  trustLoopback?: boolean;
  /** the open-file limit the default cap is sized from (default: this process's, read at start) */
  openFileLimit?: number;
}

export type Refusal = 'connection_cap' | 'rate_limited' | 'banned' | 'pending_per_address' | 'pending_cap' | 'pending_evicted';

/** What admission needs of a connection's stream: to close it, and whether anything arrived on it yet. */
export interface AdmittedStream {
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
  /** bytes received so far (net.Socket); a stream without it (WebSocket) is never taken for idle */
  bytesRead?: number;
}

/** An admitted connection: tell admission when it logged in. */
export interface Admitted {
  authenticated(): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Connection {
  addr: string;
  stream: AdmittedStream;
  onClose: (reason: Refusal) => void;
  pending: boolean;
  /** counted against the address's rate until it logs in */
  token: boolean;
}

const DEFAULT_MAX_CONNECTIONS = 20_000;

export class Admission {
  private readonly o: Required<Omit<AdmissionOptions, 'openFileLimit'>>;
  private readonly open = new Set<Connection>();
  /** pending connections, oldest first */
  private readonly pending = new Set<Connection>();
  private readonly pendingByAddress = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly failures = new Map<string, number[]>();
  private readonly bans = new Map<string, number>();
  readonly refused: Record<Refusal, number> = {
    connection_cap: 0,
    rate_limited: 0,
    banned: 0,
    pending_per_address: 0,
    pending_cap: 0,
    pending_evicted: 0,
  };
  bansIssued = 0;
  /** the line to log at start when the open-file limit is low */
  readonly warning?: string;

  constructor(
    options: AdmissionOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    const maxConnections = options.maxConnections ?? Math.min(DEFAULT_MAX_CONNECTIONS, connectionBudget(options.openFileLimit).mqtt);
    this.o = {
      maxConnections,
      maxPending: options.maxPending ?? Math.max(1, Math.min(1000, Math.floor(maxConnections / 2))),
      maxPendingPerAddress: options.maxPendingPerAddress ?? 64,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      connectRate: options.connectRate ?? 20,
      connectBurst: options.connectBurst ?? 100,
      banAfterFailures: options.banAfterFailures ?? 10,
      failureWindowMs: options.failureWindowMs ?? 60_000,
      banMs: options.banMs ?? 5 * 60_000,
      trustLoopback: options.trustLoopback ?? false,
    };
    if (options.openFileLimit === undefined)
      this.warning = lowOpenFileLimitWarning('the broker', `${maxConnections} MQTT connections (${this.o.maxPending} not logged in yet)`);
  }

  /** The limits in force (for the start-up log and the docs). */
  get limits(): Readonly<Required<Omit<AdmissionOptions, 'openFileLimit'>>> {
    return this.o;
  }

  /**
   * A new connection from `address`: undefined when it was refused (`onClose` has been called and
   * the stream destroyed), else the admitted connection. `onClose(reason)` is also called when
   * admission closes it later to make room (`pending_evicted`).
   */
  admit(address: string | undefined, stream: AdmittedStream, onClose: (reason: Refusal) => void = () => {}): Admitted | undefined {
    const addr = normalise(address);
    const trusted = this.o.trustLoopback && isLoopback(addr);
    const refuse = (reason: Refusal) => {
      this.refused[reason]++;
      onClose(reason);
      stream.destroy();
      return undefined;
    };
    if (!trusted && this.bannedUntil(addr) !== undefined) return refuse('banned');
    if (!trusted && (this.pendingByAddress.get(addr) ?? 0) >= this.o.maxPendingPerAddress) return refuse('pending_per_address');
    if (!trusted && !this.take(addr)) return refuse('rate_limited');
    if (this.pending.size >= this.o.maxPending && !this.evictIdle()) return refuse('pending_cap');
    if (this.open.size >= this.o.maxConnections && !this.evictIdle()) return refuse('connection_cap');

    const c: Connection = { addr, stream, onClose, pending: true, token: !trusted };
    this.open.add(c);
    this.pending.add(c);
    this.pendingByAddress.set(addr, (this.pendingByAddress.get(addr) ?? 0) + 1);
    stream.once('close', () => {
      this.settle(c);
      this.open.delete(c);
    });
    return {
      authenticated: () => {
        if (c.token) this.giveBack(addr);
        c.token = false;
        this.settle(c);
      },
    };
  }

  /** No longer pending (logged in, or gone). */
  private settle(c: Connection): void {
    if (!c.pending) return;
    c.pending = false;
    this.pending.delete(c);
    const n = (this.pendingByAddress.get(c.addr) ?? 1) - 1;
    if (n > 0) this.pendingByAddress.set(c.addr, n);
    else this.pendingByAddress.delete(c.addr);
  }

  /** Closes the oldest pending connection that has not sent a byte; false when there is none. */
  private evictIdle(): boolean {
    for (const c of this.pending) {
      if (c.stream.bytesRead !== 0) continue;
      this.refused.pending_evicted++;
      this.settle(c);
      this.open.delete(c);
      c.onClose('pending_evicted');
      c.stream.destroy();
      return true;
    }
    return false;
  }

  get connections(): number {
    return this.open.size;
  }

  /** Connections that have not logged in yet. */
  get pendingConnections(): number {
    return this.pending.size;
  }

  /** A failed login from `address`; true when it got the address banned. */
  failedLogin(address: string | undefined): boolean {
    const addr = normalise(address);
    if (this.o.trustLoopback && isLoopback(addr)) return false;
    const t = this.now();
    const recent = (this.failures.get(addr) ?? []).filter((at) => t - at < this.o.failureWindowMs);
    recent.push(t);
    if (recent.length >= this.o.banAfterFailures) {
      this.failures.delete(addr);
      this.bans.set(addr, t + this.o.banMs);
      this.bansIssued++;
      return true;
    }
    this.failures.set(addr, recent);
    return false;
  }

  /** Addresses banned right now. */
  banned(): string[] {
    return [...this.bans.keys()].filter((a) => this.bannedUntil(a) !== undefined);
  }

  private bannedUntil(addr: string): number | undefined {
    const until = this.bans.get(addr);
    if (until === undefined) return undefined;
    if (until <= this.now()) {
      this.bans.delete(addr);
      return undefined;
    }
    return until;
  }

  private bucket(addr: string): Bucket {
    const t = this.now();
    const b = this.buckets.get(addr) ?? { tokens: this.o.connectBurst, at: t };
    b.tokens = Math.min(this.o.connectBurst, b.tokens + ((t - b.at) / 1000) * this.o.connectRate);
    b.at = t;
    this.buckets.set(addr, b);
    return b;
  }

  private take(addr: string): boolean {
    const b = this.bucket(addr);
    // forget full buckets now and then, so a scan of many addresses leaves no state behind
    if (this.buckets.size > 10_000) for (const [a, x] of this.buckets) if (x.tokens >= this.o.connectBurst - 1 && a !== addr) this.buckets.delete(a);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private giveBack(addr: string): void {
    const b = this.bucket(addr);
    b.tokens = Math.min(this.o.connectBurst, b.tokens + 1);
  }
}

/** "::ffff:10.0.0.5" and "10.0.0.5" are the same address. */
function normalise(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

const isLoopback = (addr: string) => addr === '::1' || addr.startsWith('127.');
