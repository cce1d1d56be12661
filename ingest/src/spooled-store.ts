/**
 * The store as ingest sees it: when the database is unreachable, a batch goes to the disk spool
 * (fsynced before `write` resolves, so before the MQTT acknowledgement) and a replayer writes the
 * spooled batches back, in order, when the database answers again. While anything is spooled,
 * new batches queue behind it, so readings are never reordered. A full spool throws: the batch
 * writer then keeps its messages unacknowledged and ingest stops reading from the broker, which
 * holds the backlog (QoS 1), so nothing is dropped.
 *
 * Reads pass straight through to the database.
 */
import type { Log } from '@campus/runtime';
import { describeError } from '@campus/runtime';
import { Spool } from './spool.ts';
import type { Batch, ReadingStore, WriteResult } from '@campus/store';

/** What a spool record holds: a batch with its dead letters' bytes as base64. */
interface SpooledBatch {
  readings: Batch['readings'];
  statuses: Batch['statuses'];
  deadLetters: (Omit<Batch['deadLetters'][number], 'payload'> & { payload: string })[];
}

const toRecord = (b: Batch): SpooledBatch => ({ ...b, deadLetters: b.deadLetters.map((d) => ({ ...d, payload: d.payload.toString('base64') })) });
const fromRecord = (r: SpooledBatch): Batch => ({ ...r, deadLetters: r.deadLetters.map((d) => ({ ...d, payload: Buffer.from(d.payload, 'base64') })) });

export interface SpooledStoreOptions {
  dir: string;
  maxBytes: number;
  log: Log;
  /** the database cannot be reached (spool and retry) rather than refusing the batch */
  isUnavailable(err: unknown): boolean;
  /** a spooled batch reached the database */
  onReplayed(batch: Batch, result: WriteResult): void;
  /** longest wait between replay attempts, ms */
  maxBackoffMs?: number;
}

export interface SpooledWriteResult extends WriteResult {
  /** readings that went to the spool instead of the database */
  spooled: number;
}

export class SpooledStore {
  readonly spool: Spool<SpooledBatch>;
  /** when the database stopped answering (undefined while it answers) */
  downSince?: number;
  lastError?: string;
  private replaying = false;
  private closed = false;
  private wake?: () => void;

  constructor(
    readonly inner: ReadingStore,
    private readonly opts: SpooledStoreOptions,
  ) {
    this.spool = Spool.open<SpooledBatch>({ dir: opts.dir, maxBytes: opts.maxBytes, log: opts.log });
    if (!this.spool.empty) {
      opts.log.warn(`replaying ${this.spool.depth} spooled batches (${(this.spool.bytes / 1e6).toFixed(1)} MB) written while the database was down`);
      void this.replay();
    }
  }

  async write(batch: Batch): Promise<SpooledWriteResult> {
    if (this.spool.empty && !this.replaying) {
      try {
        const result = await this.inner.write(batch);
        this.up();
        return { ...result, spooled: 0 };
      } catch (err) {
        if (!this.opts.isUnavailable(err)) throw err;
        this.down(err);
      }
    }
    // throws SpoolFullError: nothing is acknowledged, the batch writer retries
    this.spool.append(toRecord(batch));
    void this.replay();
    return { stored: 0, duplicates: 0, spooled: batch.readings.length };
  }

  private down(err: unknown): void {
    const first = this.downSince === undefined;
    this.downSince ??= Date.now();
    this.lastError = describeError(err);
    if (first) this.opts.log.error(`the database is unreachable; spooling readings to disk until it answers: ${this.lastError}`);
  }

  private up(): void {
    if (this.downSince !== undefined) this.opts.log.info(`the database answers again after ${Math.round((Date.now() - this.downSince) / 1000)} s`);
    this.downSince = undefined;
    this.lastError = undefined;
  }

  /** Writes spooled batches back in order, with jittered backoff while the database is away. */
  private async replay(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    let attempt = 0;
    try {
      for (;;) {
        if (this.closed) return;
        const record = this.spool.peek();
        if (record === undefined) break;
        const batch = fromRecord(record);
        try {
          const result = await this.inner.write(batch);
          if (this.closed) return; // closed mid-write: the record stays for next time (written twice, stored once)
          this.spool.shift();
          attempt = 0;
          this.up();
          this.opts.onReplayed(batch, result);
        } catch (err) {
          if (this.closed) return;
          if (this.opts.isUnavailable(err)) this.down(err);
          else this.opts.log.error(`a spooled batch could not be written; retrying: ${describeError(err)}`);
          attempt++;
          const cap = Math.min(this.opts.maxBackoffMs ?? 10_000, 200 * 2 ** Math.min(attempt, 10));
          await this.sleep(cap / 2 + Math.random() * (cap / 2));
        }
      }
      if (this.spool.empty) this.opts.log.info('spool replayed; writing directly again');
    } finally {
      this.replaying = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** batches and bytes waiting in the spool */
  get depth(): { batches: number; bytes: number } {
    return { batches: this.spool.depth, bytes: this.spool.bytes };
  }

  /** Stops replaying and closes the spool (its records stay on disk for the next start). */
  close(): void {
    this.closed = true;
    this.wake?.();
    this.spool.close();
  }
}
