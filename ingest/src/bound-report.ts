/**
 * What ingest says when input meets a bound (store/src/bounds.ts): counters for /metrics and log lines
 * at most once a minute each, never one per message. A login that sends a thousand refused
 * payloads a second used to write a thousand log lines a second, which fills a disk as surely as
 * the payloads themselves.
 */
import { Throttled, type Log, type MetricsRegistry } from '@campus/runtime';
import type { BoundedCounts, LocalBounds } from '@campus/store';
import type { DeadLetter } from '@campus/store';

/** Rejected messages logged one by one: this many a minute, then one line with how many more. */
const REJECTED_LINES_PER_MINUTE = 20;
const MINUTE = 60_000;

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
const kib = (bytes: number) => `${Math.round((bytes / 1024) * 10) / 10} KiB`;

export class BoundReport {
  private readonly deadLetters;
  private readonly pendingRefused;
  private readonly deadLetterNotice: Throttled;
  private readonly pendingNotice: Throttled;
  private readonly moreRejected: Throttled;
  private windowStart = 0;
  private linesInWindow = 0;
  private droppedHeld = 0;
  private truncatedHeld = 0;

  constructor(
    metrics: MetricsRegistry,
    private readonly log: Log,
    bounds: LocalBounds,
  ) {
    this.deadLetters = metrics.counter(
      'campus_dead_letters_bounded_total',
      'dead letters the bounds acted on: action="dropped" (oldest deleted past CAMPUS_DEAD_LETTER_MAX_ROWS / _MAX_MB), action="truncated" (payload cut to CAMPUS_DEAD_LETTER_PAYLOAD_KB)',
    );
    this.pendingRefused = metrics.counter(
      'campus_pending_devices_refused_total',
      'new off-the-shelf identities not listed on /devices because the list was at CAMPUS_PENDING_DEVICES_MAX',
    );
    const d = bounds.deadLetters;
    this.deadLetterNotice = new Throttled((_n, since) => {
      const what = [
        this.droppedHeld ? `${this.droppedHeld} oldest dropped to stay within ${d.maxRows} rows / ${mib(d.maxBytes)}` : '',
        this.truncatedHeld ? `${this.truncatedHeld} payloads over ${kib(d.maxPayloadBytes)} kept as their first bytes, length and SHA-256` : '',
      ].filter(Boolean);
      this.log.warn(
        `dead letters at their bounds${since ? ` in the last ${Math.round(since / 1000)} s` : ''}: ${what.join('; ')} (campus_dead_letters_bounded_total; CAMPUS_DEAD_LETTER_MAX_ROWS, CAMPUS_DEAD_LETTER_MAX_MB, CAMPUS_DEAD_LETTER_PAYLOAD_KB)`,
      );
      this.droppedHeld = 0;
      this.truncatedHeld = 0;
    });
    this.pendingNotice = new Throttled((n, since) =>
      this.log.warn(
        `the list of off-the-shelf devices waiting for adoption is full (${bounds.pending.maxRows}): ${n} new identities not listed${since ? ` in the last ${Math.round(since / 1000)} s` : ''}. Dismiss the ones nobody knows on /devices, or raise CAMPUS_PENDING_DEVICES_MAX (campus_pending_devices_refused_total)`,
      ),
    );
    this.moreRejected = new Throttled((n) =>
      this.log.warn(
        `rejected messages beyond ${REJECTED_LINES_PER_MINUTE} a minute are not logged one by one: ${n} since the last such line (all counted in campus_readings_rejected_total, reasons kept as dead letters)`,
      ),
    );
  }

  /** What the bounds did in one write (a batch, or a spooled batch replayed). */
  written(counts: BoundedCounts | undefined, now = Date.now()): void {
    if (!counts) return;
    if (counts.deadLettersDropped) this.deadLetters.inc({ action: 'dropped' }, counts.deadLettersDropped);
    if (counts.deadLettersTruncated) this.deadLetters.inc({ action: 'truncated' }, counts.deadLettersTruncated);
    this.droppedHeld += counts.deadLettersDropped;
    this.truncatedHeld += counts.deadLettersTruncated;
    this.deadLetterNotice.add(counts.deadLettersDropped + counts.deadLettersTruncated, now);
    if (counts.pendingRefused) this.pendingRefused.inc({}, counts.pendingRefused);
    this.pendingNotice.add(counts.pendingRefused, now);
  }

  /** One line per rejected message, REJECTED_LINES_PER_MINUTE a minute at most; the rest are counted in one line. */
  rejected(letters: readonly DeadLetter[], now = Date.now()): void {
    for (const d of letters) {
      if (now - this.windowStart >= MINUTE) {
        this.windowStart = now;
        this.linesInWindow = 0;
      }
      if (this.linesInWindow++ < REJECTED_LINES_PER_MINUTE) this.log.warn(`rejected ${d.topic.slice(0, 200)}: ${d.reason}`);
      else this.moreRejected.add(1, now);
    }
  }
}
