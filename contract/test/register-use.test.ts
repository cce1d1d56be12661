/**
 * A register's use over any span from rollup buckets (registerUse), against hand-worked figures
 * and against the per-reading walk detection does (stepRegister): a register that wraps, a meter
 * replaced mid-day, a silent day, jitter, an implausible jump.
 */
import { describe, expect, it } from 'vitest';
import { initRegister, registerUse, stepRegister, type RegisterBucket, type RegisterLimits } from '@campus/contract';

const H = 3_600_000;
const DAY = 24 * H;
const MAX = 99_999_999;

/** What the store keeps of readings (time order) per bucket: count, first, last, lowest, highest. */
function rollup(readings: [ts: number, raw: number][], bucketMs: number): RegisterBucket[] {
  const out = new Map<number, RegisterBucket>();
  for (const [ts, raw] of readings) {
    const bucket = Math.floor(ts / bucketMs) * bucketMs;
    const b = out.get(bucket);
    if (!b) out.set(bucket, { bucket, n: 1, first: raw, last: raw, min: raw, max: raw });
    else Object.assign(b, { n: b.n + 1, last: raw, min: Math.min(b.min, raw), max: Math.max(b.max, raw) });
  }
  return [...out.values()];
}

/** One reading every `stepMs` from `from`, for `count` readings, the register given by index. */
const series = (from: number, stepMs: number, count: number, raw: (i: number) => number): [number, number][] =>
  Array.from({ length: count }, (_, i) => [from + i * stepMs + stepMs / 2, raw(i)]);

const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i * DAY);
const uses = (u: ReturnType<typeof registerUse>) => u.buckets.map((b) => b.use);

/** The volume detection's per-reading walk counts over the readings. */
function perReading(readings: [number, number][], max: number, limits?: RegisterLimits): number {
  let state = initRegister();
  for (const [ts, raw] of readings) state = stepRegister(state, raw, ts, max, limits).state;
  return state.volume;
}

describe('a register over a span', () => {
  it('wraps at its digits mid-day: the use is modulo the register size, never a fall of 99,999,998', () => {
    // +1 an hour from 99,999,980: 99,999,999 at 19:00 on the first day, 0 at 20:00
    const readings = series(0, H, 48, (i) => (MAX - 19 + i) % (MAX + 1));
    const use = registerUse(rollup(readings, DAY), days(0, 2), MAX);
    expect(uses(use)).toEqual([23, 24]);
    expect(use.total).toBe(47);
    expect(use.events).toEqual([{ bucket: 0, kind: 'rollover' }]);
    // without the digits the fall is taken for a new meter: another answer
    expect(registerUse(rollup(readings, DAY), days(0, 2)).total).not.toBe(47);
  });

  it('a meter replaced mid-day: the old meter up to its last reading, then the new one from its first', () => {
    // +2 an hour from 5000; at 13:00 on the second day a new meter reading 0.5, +2 an hour
    const readings = series(0, H, 72, (i) => (i < 37 ? 5000 + 2 * i : 0.5 + 2 * (i - 37)));
    const use = registerUse(rollup(readings, DAY), days(0, 3), MAX);
    // day 2: 5046 -> 5072 on the old meter (26), 0.5 on the new one when it was fitted, 0.5 -> 20.5 (20)
    expect(uses(use)).toEqual([46, 26 + 0.5 + 20, 48]);
    expect(use.events).toEqual([{ bucket: DAY, kind: 'replacement' }]);
    // the same as detection's walk over every reading
    expect(use.total).toBe(perReading(readings, MAX));
    // and the same from hourly rollups
    expect(registerUse(rollup(readings, H), Array.from({ length: 72 }, (_, i) => i * H), MAX).total).toBe(use.total);
  });

  it('a silent day: no use of its own, the catch-up shared over it and the day the meter came back, whichever span is asked', () => {
    // +3 an hour, silent all of day 2 (index 2)
    const readings = series(0, H, 5 * 24, (i) => 100 + 3 * i).filter(([ts]) => ts < 2 * DAY || ts >= 3 * DAY);
    const rows = rollup(readings, DAY);
    const all = registerUse(rows, days(0, 5), MAX);
    // 23:30 of day 1 (241) to 00:30 of day 3 (316): 75, half to the silent day
    expect(all.buckets.map((b) => [b.use, b.estimated, b.missing])).toEqual([
      [69, false, false],
      [72, false, false],
      [37.5, true, true],
      [37.5 + 69, true, false],
      [72, false, false],
    ]);
    expect(all.total).toBe(perReading(readings, MAX));
    // a span starting on the day the meter came back gives that day the same share (the silent day is before it)
    const later = registerUse(rows, days(3 * DAY, 2), MAX);
    expect(uses(later)).toEqual([37.5 + 69, 72]);
    // a span where the meter said nothing
    expect(registerUse(rows, days(10 * DAY, 2), MAX).total).toBeNull();
  });

  it('jitter: a reading slightly lower than before is no use and no rollover, also across days and at the end of a day', () => {
    const readings: [number, number][] = [
      [1 * H, 100],
      [2 * H, 100.4],
      [3 * H, 100.3], // jitter inside the day
      [4 * H, 100.6],
      [DAY + H, 100.5], // lower than the day before's last
      [DAY + 2 * H, 101],
      [2 * DAY + H, 101.2],
      [2 * DAY + 2 * H, 101.1], // the day ends lower than it began
      [3 * DAY + H, 101.5],
    ];
    const use = registerUse(rollup(readings, DAY), days(0, 4), MAX);
    expect(use.events).toEqual([]);
    expect(use.total).toBeCloseTo(1.5, 9);
    expect(use.buckets.every((b) => b.use >= 0)).toBe(true);
    expect(use.total).toBeCloseTo(perReading(readings, MAX), 9);
  });

  it('an implausible jump within the digits counts as no use; a new level the following readings agree with starts a new segment', () => {
    const limits: RegisterLimits = { maxPerHour: 50 };
    const hours = (n: number) => Array.from({ length: n }, (_, i) => i * H);
    // one reading an hour: 7055, 7056, a corrupted 9,000,000, then 7057, 7058
    const spike: [number, number][] = [7055, 7056, 9_000_000, 7057, 7058].map((raw, i) => [i * H + H / 2, raw]);
    const fault = registerUse(rollup(spike, H), hours(5), MAX, { limits });
    expect(uses(fault)).toEqual([0, 1, 0, 1, 1]);
    expect(fault.events).toEqual([{ bucket: 2 * H, kind: 'fault' }]);
    // the same reading inside a day's rollup, as its highest: the day is walked first -> last
    expect(registerUse(rollup(spike, DAY), [0], MAX, { limits }).total).toBe(3);
    // a meter swapped for one reading 20,000: three readings agreeing make it the new level, the jump counts as nothing
    const swapped: [number, number][] = [5000, 5001, 20_000, 20_001, 20_002, 20_004].map((raw, i) => [i * H + H / 2, raw]);
    const rebased = registerUse(rollup(swapped, H), hours(6), MAX, { limits });
    expect(uses(rebased)).toEqual([0, 1, 0, 0, 0, 2]);
    expect(rebased.events.map((e) => [e.bucket / H, e.kind])).toEqual([
      [2, 'fault'],
      [3, 'fault'],
      [4, 'replacement'],
    ]);
    expect(rebased.total).toBe(perReading(swapped, MAX, limits));
  });
});
