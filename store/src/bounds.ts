/**
 * What one device login may make ingest keep, at most (docs/operating/bounds-and-bad-input.md): the
 * dead-letter table (every refused payload used to be kept whole and for ever: 60 KiB junk grew
 * campus.db by 80 MB/s) and the off-the-shelf devices waiting for adoption (20,000 fake Zigbee
 * sensors filled it). Past a bound the oldest dead letters go first; pending devices already
 * listed stay, new ones are not listed until room is made (see LocalState.record).
 */
import { createHash } from 'node:crypto';
import type { BoundedCounts, DeadLetter } from './records.ts';

export interface DeadLetterBounds {
  /** rows kept at most (CAMPUS_DEAD_LETTER_MAX_ROWS) */
  maxRows: number;
  /** bytes of payload, topic and reason kept at most (CAMPUS_DEAD_LETTER_MAX_MB) */
  maxBytes: number;
  /** a payload longer than this is kept as its first bytes, its length and its SHA-256 (CAMPUS_DEAD_LETTER_PAYLOAD_KB) */
  maxPayloadBytes: number;
}

export interface PendingBounds {
  /** off-the-shelf identities listed at most (CAMPUS_PENDING_DEVICES_MAX) */
  maxRows: number;
  /** a listed identity not heard for this long makes room for a new one when the list is full, ms */
  staleAfterMs: number;
}

export interface LocalBounds {
  deadLetters: DeadLetterBounds;
  pending: PendingBounds;
}

export const DEFAULT_LOCAL_BOUNDS: Readonly<LocalBounds> = Object.freeze({
  deadLetters: Object.freeze({ maxRows: 10_000, maxBytes: 64 * 1024 * 1024, maxPayloadBytes: 4096 }),
  pending: Object.freeze({ maxRows: 1000, staleAfterMs: 7 * 86_400_000 }),
});

/** The bounds with some overridden (options may give some of each). */
export function localBounds(given: { deadLetters?: Partial<DeadLetterBounds>; pending?: Partial<PendingBounds> } = {}): LocalBounds {
  return {
    deadLetters: { ...DEFAULT_LOCAL_BOUNDS.deadLetters, ...given.deadLetters },
    pending: { ...DEFAULT_LOCAL_BOUNDS.pending, ...given.pending },
  };
}

/** Topic and reason as kept: a 64 KiB topic is as much junk as a 64 KiB payload. */
const MAX_TOPIC_CHARS = 512;
const MAX_REASON_CHARS = 1000;

/**
 * A dead letter as it is kept: its payload cut to `maxPayloadBytes` (with the original length and
 * SHA-256, so two copies of the same junk are still recognisable), topic and reason cut too.
 * Idempotent: a letter cut before (in the batch writer, before the spool) is returned as it is.
 */
export function keptDeadLetter(d: DeadLetter, maxPayloadBytes: number): DeadLetter {
  const topic = d.topic.length > MAX_TOPIC_CHARS ? `${d.topic.slice(0, MAX_TOPIC_CHARS)}…` : d.topic;
  const reason = d.reason.length > MAX_REASON_CHARS ? `${d.reason.slice(0, MAX_REASON_CHARS)}…` : d.reason;
  if (d.payload.length <= maxPayloadBytes) return topic === d.topic && reason === d.reason ? d : { ...d, topic, reason };
  return {
    receivedAt: d.receivedAt,
    topic,
    reason,
    payload: Buffer.from(d.payload.subarray(0, maxPayloadBytes)),
    payloadBytes: d.payloadBytes ?? d.payload.length,
    payloadSha256: d.payloadSha256 ?? createHash('sha256').update(d.payload).digest('hex'),
  };
}

/** Whether a kept letter lost part of its payload. */
export const truncated = (d: DeadLetter): boolean => d.payloadBytes !== undefined && d.payloadBytes > d.payload.length;

export const noneBounded = (): BoundedCounts => ({ deadLettersDropped: 0, deadLettersTruncated: 0, pendingRefused: 0 });

/** `{ bounded }` for a write result when a bound acted, else nothing (most writes). */
export const boundedPart = (c: BoundedCounts): { bounded?: BoundedCounts } =>
  c.deadLettersDropped || c.deadLettersTruncated || c.pendingRefused ? { bounded: c } : {};
