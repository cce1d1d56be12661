/**
 * Who may open a connection at all, decided on the TCP connection before any MQTT is parsed:
 *
 * - a cap on open connections (a campus has a few hundred devices; a flood of sockets is not one);
 * - a connection rate per source address (token bucket), so one laptop cannot churn thousands of
 *   connections a second;
 * - a ban for an address that failed to log in `banAfterFailures` times within `failureWindowMs`
 *   (EMQX's flapping detection does the same), lifted after `banMs`.
 *
 * Loopback is trusted by default (`trustLoopback`): it is the server's own ingest, dashboard and
 * simulator, and the tests and benchmarks that connect thousands of devices from 127.0.0.1.
 */
import { isIP } from 'node:net';

export interface AdmissionOptions {
  /** open connections at most (default 20,000) */
  maxConnections?: number;
  /** new connections per second per address (default 20), with bursts of up to `connectBurst` (default 100) */
  connectRate?: number;
  connectBurst?: number;
  /** failed logins within the window that ban an address (default 10 in 60 s), for `banMs` (default 5 min) */
  banAfterFailures?: number;
  failureWindowMs?: number;
  banMs?: number;
  /** exempt 127.0.0.0/8 and ::1 from the rate limit and bans (default true) */
  trustLoopback?: boolean;
}

export type Refusal = 'connection_cap' | 'rate_limited' | 'banned';

interface Bucket {
  tokens: number;
  at: number;
}

export class Admission {
  private readonly o: Required<AdmissionOptions>;
  private open = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly failures = new Map<string, number[]>();
  private readonly bans = new Map<string, number>();
  readonly refused: Record<Refusal, number> = { connection_cap: 0, rate_limited: 0, banned: 0 };
  bansIssued = 0;

  constructor(
    options: AdmissionOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.o = {
      maxConnections: options.maxConnections ?? 20_000,
      connectRate: options.connectRate ?? 20,
      connectBurst: options.connectBurst ?? 100,
      banAfterFailures: options.banAfterFailures ?? 10,
      failureWindowMs: options.failureWindowMs ?? 60_000,
      banMs: options.banMs ?? 5 * 60_000,
      trustLoopback: options.trustLoopback ?? true,
    };
  }

  /** Whether a new connection from `address` may proceed; undefined: yes (call `closed()` when it ends). */
  admit(address: string | undefined): Refusal | undefined {
    const addr = normalise(address);
    const trusted = this.o.trustLoopback && isLoopback(addr);
    let refusal: Refusal | undefined;
    if (!trusted && this.bannedUntil(addr) !== undefined) refusal = 'banned';
    else if (this.open >= this.o.maxConnections) refusal = 'connection_cap';
    else if (!trusted && !this.take(addr)) refusal = 'rate_limited';
    if (refusal) {
      this.refused[refusal]++;
      return refusal;
    }
    this.open++;
    return undefined;
  }

  closed(): void {
    if (this.open > 0) this.open--;
  }

  get connections(): number {
    return this.open;
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

  private take(addr: string): boolean {
    const t = this.now();
    const b = this.buckets.get(addr) ?? { tokens: this.o.connectBurst, at: t };
    b.tokens = Math.min(this.o.connectBurst, b.tokens + ((t - b.at) / 1000) * this.o.connectRate);
    b.at = t;
    this.buckets.set(addr, b);
    // forget full buckets now and then, so a scan of many addresses leaves no state behind
    if (this.buckets.size > 10_000) for (const [a, x] of this.buckets) if (x.tokens >= this.o.connectBurst - 1 && a !== addr) this.buckets.delete(a);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** "::ffff:10.0.0.5" and "10.0.0.5" are the same address. */
function normalise(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

const isLoopback = (addr: string) => addr === '::1' || addr.startsWith('127.');
