/**
 * Password guessing, limited per source address (IPv6: per /64, which one machine can fill) and
 * per account. An attempt counts as a failure from the moment it starts, before the password is
 * checked: a burst of parallel guesses cannot slip in while the first ones are still hashing.
 * A success forgets the failures of its address and account. Refusals and failures are counted
 * in /metrics.
 */
import { isIPv6 } from 'node:net';
import type { Counter, MetricsRegistry } from '@campus/runtime';
import type { FailureLimiter } from '../auth/limiter.ts';

export type LoginAttempt = { refused: true; retryAfterS: number } | { refused: false; succeeded(): void; failed(): void };

/** The key an address is limited under: IPv4 as is, IPv6 by its /64. */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(address.replace(/%.*$/, ''))) return address;
  const [head = '', tail] = address.replace(/%.*$/, '').toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export class LoginThrottle {
  private readonly refusedTotal: Counter;
  private readonly failedTotal: Counter;

  constructor(
    private readonly limiter: FailureLimiter,
    metrics: MetricsRegistry,
  ) {
    this.refusedTotal = metrics.counter('campus_login_refused_total', 'login attempts refused (429) after too many failures');
    this.failedTotal = metrics.counter('campus_login_failures_total', 'logins with a wrong user name or password');
  }

  /** Before checking a password: refused (wait), or an attempt to settle with succeeded() / failed(). */
  begin(address: string | undefined, username: string): LoginAttempt {
    const keys = [`ip:${addressKey(address)}`, `user:${username.toLowerCase().slice(0, 64)}`];
    const retryAfterS = this.limiter.retryAfter(keys);
    if (retryAfterS > 0) {
      this.refusedTotal.inc();
      return { refused: true, retryAfterS };
    }
    this.limiter.fail(keys); // counted now; forgotten on success
    return {
      refused: false,
      succeeded: () => this.limiter.succeed(keys),
      failed: () => this.failedTotal.inc(),
    };
  }
}
