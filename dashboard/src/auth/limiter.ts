/**
 * Failed-login limiter: at most `max` failures per key in `windowMs`; then wait (429, Retry-After).
 * Bounded: past `maxKeys` keys the expired ones go first, then the longest quiet ones — never all
 * at once, so a spray of addresses cannot wipe an account's count.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private limit = 5,
    private window = 15 * 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  get max(): number {
    return this.limit;
  }

  get windowMs(): number {
    return this.window;
  }

  /** New limits (the dashboard's options); failures already counted stay. */
  configure(max: number, windowMs: number): void {
    this.limit = max;
    this.window = windowMs;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.window);
    if (!list.length) this.failures.delete(key);
    return list;
  }

  /** Seconds to wait before another try, or 0. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.recent(key, now);
      if (list.length >= this.limit) wait = Math.max(wait, Math.max(1, Math.ceil((list[list.length - this.limit]! + this.window - now) / 1000)));
    }
    return wait;
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const list = [...this.recent(key, now), now];
      this.failures.delete(key); // re-inserted last: the map's order is "least recently failed first"
      this.failures.set(key, list.slice(-Math.max(this.limit, 1)));
    }
    if (this.failures.size > this.maxKeys) this.evict(now);
  }

  private evict(now: number): void {
    for (const [key, list] of this.failures) if (now - list[list.length - 1]! >= this.window) this.failures.delete(key);
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }

  /** Forget every failure (an operator unblocking, or a test). */
  reset(): void {
    this.failures.clear();
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
