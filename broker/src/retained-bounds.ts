/**
 * Bounds on retained messages, whatever the persistence: a count of topics, their bytes, and the
 * size of one. Off-the-shelf devices retain their `/availability`, `/online` and `/LWT` topics
 * (acl.ts keepsRetain), and one login could otherwise retain 10,000 topics of 32 KiB (measured:
 * 207 -> 660 MB, never released). A message over a bound is still delivered to whoever is
 * subscribed; it is only not kept for later subscribers, and the topic keeps its earlier retained
 * message. Clearing a retained message (an empty payload) is always allowed.
 */

export interface RetainedLimits {
  /** retained topics at most (default 20,000: every device of a district, twice) */
  maxRetained: number;
  /** bytes of retained payloads at most (default 16 MiB) */
  maxRetainedBytes: number;
  /** the largest payload kept retained (default 4 KiB; a status is a word or a small JSON object) */
  maxRetainedPayload: number;
}

export const DEFAULT_RETAINED_LIMITS: RetainedLimits = { maxRetained: 20_000, maxRetainedBytes: 16 * 1024 * 1024, maxRetainedPayload: 4096 };

export type RetainedRefusal = 'payload' | 'count' | 'bytes';

type RetainedPacket = { topic: string; payload: Buffer | string };
interface RetainingPersistence {
  storeRetained(packet: RetainedPacket, cb?: unknown): Promise<void> | undefined;
}

export class RetainedBounds {
  private readonly sizes = new Map<string, number>();
  private total = 0;
  /** retained messages not kept, by reason */
  readonly refused: Record<RetainedRefusal, number> = { payload: 0, count: 0, bytes: 0 };

  constructor(
    private readonly limits: RetainedLimits,
    private readonly onRefused: (topic: string, reason: RetainedRefusal, bytes: number) => void = () => {},
  ) {}

  get count(): number {
    return this.sizes.size;
  }

  get bytes(): number {
    return this.total;
  }

  wrap(persistence: object): void {
    const p = persistence as RetainingPersistence;
    const store = p.storeRetained.bind(p);
    p.storeRetained = (packet, cb) => {
      const bytes = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : (packet.payload?.length ?? 0);
      const reason = this.refusal(packet.topic, bytes);
      if (reason) {
        this.refused[reason]++;
        this.onRefused(packet.topic, reason, bytes);
        if (typeof cb === 'function') {
          process.nextTick(cb as (err: null) => void, null);
          return undefined;
        }
        return Promise.resolve();
      }
      this.total -= this.sizes.get(packet.topic) ?? 0;
      if (bytes === 0) this.sizes.delete(packet.topic);
      else this.sizes.set(packet.topic, bytes);
      this.total += bytes;
      return store(packet, cb);
    };
  }

  private refusal(topic: string, bytes: number): RetainedRefusal | undefined {
    if (bytes === 0) return undefined;
    if (bytes > this.limits.maxRetainedPayload) return 'payload';
    const before = this.sizes.get(topic);
    if (before === undefined && this.sizes.size >= this.limits.maxRetained) return 'count';
    if (this.total - (before ?? 0) + bytes > this.limits.maxRetainedBytes) return 'bytes';
    return undefined;
  }
}
