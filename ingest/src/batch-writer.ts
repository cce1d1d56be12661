/**
 * Groups outcomes into batches and writes each batch in one durable transaction, then runs the
 * acknowledgements of its messages in arrival order. A batch closes at `maxBatch` items or
 * `maxDelayMs` after its first item. A failed write is retried (with backoff) and nothing is
 * acknowledged until it succeeds.
 */
import { describeError, type Log } from '@campus/runtime';
import type { Outcome } from './pipeline.ts';
import type { Batch, WriteResult } from '@campus/store';
import { DEFAULT_LOCAL_BOUNDS, keptDeadLetter } from '@campus/store';

/** Where batches go: a store, or the store behind its spool. */
export interface BatchSink {
  write(batch: Batch): Promise<WriteResult>;
}

export interface PendingItem {
  /** one message can be several readings (a multi-channel plug), or none */
  outcomes: Outcome[];
  topic: string;
  payload: Buffer;
  receivedAt: number;
  ack: () => void;
}

export interface BatchWriterOptions {
  maxBatch: number;
  maxDelayMs: number;
  log: Log;
  onCommitted(batch: Batch, result: WriteResult, items: PendingItem[]): void;
  onWriteError(err: unknown): void;
  /** a refused payload longer than this is cut before it is batched (and spooled); default the dead-letter bound's */
  deadLetterPayloadBytes?: number;
}

export class BatchWriter {
  private pending: PendingItem[] = [];
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private retryMs = 0;
  private lastFailure?: string;
  private lastFailureLoggedAt = 0;
  private closed = false;

  constructor(
    private readonly store: BatchSink,
    private readonly opts: BatchWriterOptions,
  ) {}

  private get maxPayload(): number {
    return this.opts.deadLetterPayloadBytes ?? DEFAULT_LOCAL_BOUNDS.deadLetters.maxPayloadBytes;
  }

  /** items waiting to be written */
  get depth(): number {
    return this.pending.length;
  }

  add(item: PendingItem): void {
    this.pending.push(item);
    // a write in flight, or a retry waiting out its backoff, picks this up
    if (this.writing || this.retryMs) return;
    if (this.pending.length >= this.opts.maxBatch) this.kick(0);
    else if (!this.timer) this.kick(this.opts.maxDelayMs);
  }

  private kick(delay: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeOnce();
    }, delay);
  }

  private async writeOnce(): Promise<void> {
    if (this.writing || this.pending.length === 0) return;
    const items = this.pending.slice(0, this.opts.maxBatch);
    const batch: Batch = { readings: [], statuses: [], deadLetters: [] };
    for (const item of items) {
      for (const o of item.outcomes) {
        if (o.type === 'reading') batch.readings.push(o.reading);
        else if (o.type === 'status') batch.statuses.push(o.status);
        else if (o.type === 'pending') (batch.pending ??= []).push(o.pending);
        else if (o.type === 'rejected')
          batch.deadLetters.push(keptDeadLetter({ receivedAt: item.receivedAt, topic: item.topic, reason: o.reason, payload: item.payload }, this.maxPayload));
        // ignored: understood and deliberately not kept (counted by the caller)
      }
    }
    let done!: () => void;
    this.writing = new Promise<void>((resolve) => (done = resolve));
    try {
      const result = await this.store.write(batch);
      this.pending.splice(0, items.length);
      this.retryMs = 0;
      if (this.lastFailure) this.opts.log.info('store writes succeed again');
      this.lastFailure = undefined;
      for (const item of items) item.ack();
      this.opts.onCommitted(batch, result, items);
    } catch (err) {
      this.retryMs = Math.min(Math.max(this.retryMs * 2, 100), 5000);
      // the same failure is logged once a minute, not on every retry
      const text = describeError(err);
      if (text !== this.lastFailure || Date.now() - this.lastFailureLoggedAt > 60_000) {
        this.opts.log.error(`store write failed; retrying every ${this.retryMs / 1000} s at most (nothing acknowledged)`, {
          err: text,
          items: this.pending.length,
        });
        this.lastFailure = text;
        this.lastFailureLoggedAt = Date.now();
      }
      this.opts.onWriteError(err);
    } finally {
      this.writing = undefined;
      done();
    }
    if (this.pending.length) this.kick(this.retryMs || (this.pending.length >= this.opts.maxBatch ? 0 : this.opts.maxDelayMs));
  }

  /** Writes everything pending (used on shutdown). Gives up after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    while ((this.pending.length || this.writing) && Date.now() < deadline) {
      if (this.writing) await this.writing;
      else await this.writeOnce();
      if (this.pending.length && this.retryMs) await new Promise((r) => setTimeout(r, this.retryMs));
    }
    this.closed = true;
    return this.pending.length === 0;
  }
}
