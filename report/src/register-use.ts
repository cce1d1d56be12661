/**
 * Use from a cumulative register (kWh, m³) per rollup bucket (a local day, or an hour), walking
 * the buckets' first and last readings with the same register rules detection uses (rollover,
 * meter replacement, jitter: detection/src/detectors/register.ts). A bucket's use runs from the last
 * reading before it to its own last reading, so the uses add up to "last reading minus the reading
 * before the period": nothing falls between two days. The reading before the period comes from the
 * buckets before `buckets[0]` (the caller reads a little earlier).
 *
 * A meter that was silent for some buckets catches up when it reports again; that catch-up is
 * spread evenly over the silent buckets and the one it came back in, and marked estimated.
 */
import { initRegister, stepRegister } from '@campus/detection';
import { type RollupRow } from '@campus/store';

export interface BucketUse {
  bucket: number;
  use: number;
  /** shares of a catch-up after silence */
  estimated: boolean;
  /** no reading in this bucket */
  missing: boolean;
}

export interface RegisterUse {
  buckets: BucketUse[];
  /** null when the meter said nothing in the period */
  total: number | null;
  /** register events met on the way (a replaced meter, a wrapped register) */
  events: { bucket: number; kind: 'rollover' | 'replacement' }[];
}

export function registerUse(rows: readonly RollupRow[], buckets: readonly number[], registerMax = Number.POSITIVE_INFINITY): RegisterUse {
  const start = buckets[0] ?? Number.POSITIVE_INFINITY;
  const inRange = new Map(rows.filter((r) => r.bucket >= start).map((r) => [r.bucket, r]));
  const anchor = rows.filter((r) => r.bucket < start).at(-1);
  let state = initRegister();
  if (anchor) state = stepRegister(state, anchor.last, anchor.bucket + 1, registerMax).state;
  const out: BucketUse[] = [];
  const events: RegisterUse['events'] = [];
  let silent: BucketUse[] = [];
  let any = false;
  for (const bucket of buckets) {
    const row = inRange.get(bucket);
    if (!row) {
      const entry = { bucket, use: 0, estimated: false, missing: true };
      out.push(entry);
      silent.push(entry);
      continue;
    }
    any = true;
    // the step into the bucket (since the last reading before it), then the bucket itself
    const into = stepRegister(state, row.first, bucket, registerMax);
    const within = stepRegister(into.state, row.last, bucket + 1, registerMax);
    for (const step of [into, within]) if (step.event) events.push({ bucket, kind: step.event });
    state = within.state;
    const entry = { bucket, use: within.delta, estimated: false, missing: false };
    out.push(entry);
    if (silent.length && into.delta > 0) {
      // a catch-up after silence: shared over the silent buckets and this one
      const share = into.delta / (silent.length + 1);
      for (const s of [...silent, entry]) {
        s.use += share;
        s.estimated = true;
      }
    } else entry.use += into.delta;
    silent = [];
  }
  return { buckets: out, total: any ? out.reduce((s, b) => s + b.use, 0) : null, events };
}
