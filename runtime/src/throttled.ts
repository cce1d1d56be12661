/**
 * A log line for something that can happen a thousand times a second (a bound hit, a refused
 * payload): the occurrences are added up and said at most once per `everyMs`, the first time at once.
 */
export class Throttled {
  private held = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly say: (n: number, sinceMs: number) => void,
    private readonly everyMs = 60_000,
  ) {}

  add(n: number, now = Date.now()): void {
    if (n <= 0) return;
    this.held += n;
    if (now - this.lastAt < this.everyMs) return;
    this.say(this.held, this.lastAt === Number.NEGATIVE_INFINITY ? 0 : now - this.lastAt);
    this.held = 0;
    this.lastAt = now;
  }
}

