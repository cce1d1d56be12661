/**
 * Limits of the public report form (no login): reports per client address (IPv6: per /64) and per
 * place, photo uploads per address, each within a fixed window. Over a limit: 429 with Retry-After
 * and a Chinese message, counted in /metrics (campus_public_throttled_total, by limit). Memory is
 * bounded: at most `maxKeys` counters; expired ones go first, then the oldest.
 */
import type { Counter, MetricsRegistry } from '@campus/runtime';
import { addressKey } from './login-throttle.ts';

export type PublicLimit = 'report_address' | 'report_place' | 'photo_address';

export interface ReportThrottleOptions {
  reportsPerAddress: number;
  reportsPerPlace: number;
  photosPerAddress: number;
  windowMs: number;
  maxKeys: number;
}

export const REPORT_THROTTLE_DEFAULTS: Readonly<ReportThrottleOptions> = Object.freeze({
  reportsPerAddress: 10,
  reportsPerPlace: 20,
  photosPerAddress: 30,
  windowMs: 3600_000,
  maxKeys: 20_000,
});

const MESSAGES: Record<PublicLimit, string> = {
  report_address: '提交太频繁，请稍后再试 (too many reports from this address)',
  report_place: '这个地点的报修太多，请稍后再试或直接联系总务处 (too many reports for this place)',
  photo_address: '上传照片太频繁，请稍后再试 (too many photos from this address)',
};

export interface Refused {
  limit: PublicLimit;
  retryAfterS: number;
  message: string;
}

export class ReportThrottle {
  readonly opts: ReportThrottleOptions;
  private readonly counts = new Map<string, { n: number; resetAt: number }>();
  private readonly refused: Counter;

  constructor(
    metrics: MetricsRegistry,
    opts: Partial<ReportThrottleOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...REPORT_THROTTLE_DEFAULTS, ...opts };
    this.refused = metrics.counter('campus_public_throttled_total', 'public report form requests refused (429), by the limit they were over');
  }

  /** A report from `address` about `place` (site/room, or the written place): undefined when allowed (and counted). */
  report(address: string | undefined, place: string): Refused | undefined {
    return this.take([
      ['report_address', `r:${addressKey(address)}`, this.opts.reportsPerAddress],
      ['report_place', `p:${place.toLowerCase().replace(/\s+/g, '')}`, this.opts.reportsPerPlace],
    ]);
  }

  photo(address: string | undefined): Refused | undefined {
    return this.take([['photo_address', `f:${addressKey(address)}`, this.opts.photosPerAddress]]);
  }

  /** counters held (for the tests of the bound) */
  size(): number {
    return this.counts.size;
  }

  /** all or nothing: a request refused by one limit does not count against the others */
  private take(checks: [PublicLimit, string, number][]): Refused | undefined {
    const now = this.now();
    for (const [limit, key, max] of checks) {
      const c = this.counts.get(key);
      if (c && c.resetAt > now && c.n >= max) {
        this.refused.inc({ limit });
        return { limit, retryAfterS: Math.max(1, Math.ceil((c.resetAt - now) / 1000)), message: MESSAGES[limit] };
      }
    }
    for (const [, key] of checks) {
      const c = this.counts.get(key);
      if (c && c.resetAt > now) c.n++;
      else {
        this.counts.delete(key);
        this.makeRoom(now);
        this.counts.set(key, { n: 1, resetAt: now + this.opts.windowMs });
      }
    }
    return undefined;
  }

  private makeRoom(now: number): void {
    if (this.counts.size < this.opts.maxKeys) return;
    for (const [key, c] of this.counts) if (c.resetAt <= now) this.counts.delete(key);
    // insertion order is the order the windows started: the oldest first
    for (const key of this.counts.keys()) {
      if (this.counts.size < this.opts.maxKeys) break;
      this.counts.delete(key);
    }
  }
}
