/**
 * The store conformance suite: every backend must pass it (sqlite.test.ts, influx.test.ts).
 * `open(context)` gives a fresh, empty store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceRegisterLimits, type DeviceKind, type Reading } from '@campus/contract';
import type { Batch, ReadingStore, StoreContext } from '@campus/store';

export const T0 = Date.parse('2026-11-23T08:00:00+08:00');
const H = 3_600_000;
const OFFSET = 8 * H;

const KINDS: Record<string, DeviceKind> = { 'em-1': 'electric_meter', 'em-2': 'electric_meter', 'tr-1': 'transformer', 'fr-1': 'fridge' };

/** The registers' digits (8, decimals aside: the campus file's default registerMaxKWh). */
const REGISTER_MAX = 99_999_999;

/** Two electricity meters, a transformer and a fridge at a site on UTC+8; the registers' limits as a campus file without ratings gives them (5000 kW). */
export const TEST_CONTEXT: StoreContext = {
  device: (id) =>
    KINDS[id]
      ? {
          siteId: 'dongnan',
          kind: KINDS[id]!,
          building: 'main',
          registerMax: REGISTER_MAX,
          registerLimits: deviceRegisterLimits({ kind: KINDS[id]!, ratedKVA: KINDS[id] === 'transformer' ? 315 : undefined }),
          ...(id === 'em-1' ? { classId: 'g1c1' } : {}),
        }
      : undefined,
  dayStart: (_id, ts) => Math.floor((ts + OFFSET) / 86_400_000) * 86_400_000 - OFFSET,
  localDate: (_id, ts) => new Date(ts + OFFSET).toISOString().slice(0, 10),
};

export function reading(deviceId: string, ts: number, values: Record<string, unknown>, seq = 0): Reading {
  const kind = KINDS[deviceId] ?? 'electric_meter';
  return { siteId: 'dongnan', deviceId, kind, ts, seq, receivedAt: ts + 50, values: values as unknown as Reading['values'] };
}

export const batch = (b: Partial<Batch>): Batch => ({ readings: [], statuses: [], deadLetters: [], ...b });

export function describeStore(name: string, open: (context: StoreContext) => ReadingStore | Promise<ReadingStore>): void {
  describe(`reading store conformance: ${name}`, () => {
    let store: ReadingStore;
    afterEach(() => store?.close());

    it('stores a batch and reports what it stored', async () => {
      store = await open(TEST_CONTEXT);
      const result = await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1, powerKW: 2 }), reading('em-2', T0, { totalKWh: 5 })] }));
      expect(result).toEqual({ stored: 2, duplicates: 0 });
      expect(
        store
          .lastReadings()
          .map((l) => l.deviceId)
          .sort(),
      ).toEqual(['em-1', 'em-2']);
      expect(await store.series({ deviceId: 'em-2', paths: ['$.totalKWh'], from: T0, to: T0 + 1000, stepMs: 1000 })).toEqual([
        { t: T0, avg: 5, min: 5, max: 5, n: 1 },
      ]);
    });

    it('stores a redelivered reading (same device and time) once', async () => {
      store = await open(TEST_CONTEXT);
      await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 })] }));
      const again = await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 }), reading('em-1', T0 + 1000, { totalKWh: 1.1 })] }));
      expect(again).toEqual({ stored: 1, duplicates: 1 });
      expect(await store.series({ deviceId: 'em-1', paths: ['$.totalKWh'], from: T0, to: T0 + 60_000, stepMs: 60_000 })).toEqual([
        { t: expect.any(Number), avg: 1.05, min: 1, max: 1.1, n: 2 },
      ]);
    });

    it('keeps the newest reading as "last" when readings arrive out of order', async () => {
      store = await open(TEST_CONTEXT);
      await store.write(batch({ readings: [reading('em-1', T0 + 60_000, { totalKWh: 2 }, 2)] }));
      await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 }, 1)] }));
      const last = store.lastReadings().find((l) => l.deviceId === 'em-1')!;
      expect(last.ts).toBe(T0 + 60_000);
      expect(last.values).toEqual({ totalKWh: 2 });
      expect(last.receivedAt).toBe(T0 + 60_050);
    });

    it('downsamples into aligned buckets with avg, min, max and count', async () => {
      store = await open(TEST_CONTEXT);
      const readings = Array.from({ length: 120 }, (_, i) => reading('em-1', T0 + i * 30_000, { totalKWh: i, powerKW: i % 2 ? 3 : 1 }));
      await store.write(batch({ readings }));
      const points = await store.series({ deviceId: 'em-1', paths: ['$.powerKW'], from: T0, to: T0 + 3600_000, stepMs: 600_000 });
      expect(points).toHaveLength(6);
      for (const p of points) {
        expect(p.t % 600_000).toBe(0);
        expect(p).toMatchObject({ avg: 2, min: 1, max: 3, n: 20 });
      }
    });

    it('takes the largest of several paths (worst phase)', async () => {
      store = await open(TEST_CONTEXT);
      await store.write(batch({ readings: [reading('tr-1', T0, { currentA: [10, 30, 20], voltageV: [230, 230, 230] })] }));
      const [p] = await store.series({ deviceId: 'tr-1', paths: ['$.currentA[0]', '$.currentA[1]', '$.currentA[2]'], from: T0, to: T0 + 1, stepMs: 1000 });
      expect(p?.max).toBe(30);
    });

    it('keeps dead letters with their reason and bytes, and status changes', async () => {
      store = await open(TEST_CONTEXT);
      const payload = Buffer.from([0x7b, 0xff, 0x00]);
      await store.write(
        batch({
          deadLetters: [{ receivedAt: T0, topic: 'campus/x/y/telemetry', reason: 'not valid JSON', payload }],
          statuses: [{ deviceId: 'em-1', status: 'offline', at: T0 }],
        }),
      );
      const [dl] = store.deadLetters(10);
      expect(dl).toMatchObject({ topic: 'campus/x/y/telemetry', reason: 'not valid JSON', receivedAt: T0 });
      expect(Buffer.compare(dl!.payload, payload)).toBe(0);
      expect(store.statuses()).toEqual([{ deviceId: 'em-1', status: 'offline', at: T0 }]);
    });

    it('rolls up hours and local days, exactly, whatever arrives twice or late', async () => {
      store = await open(TEST_CONTEXT);
      // em-1: one reading every 10 minutes for two local days from local midnight, register +0.5 kWh each
      const start = TEST_CONTEXT.dayStart('em-1', T0);
      const all = Array.from({ length: 2 * 144 }, (_, i) => reading('em-1', start + i * 600_000, { totalKWh: 100 + i * 0.5, powerKW: 3 }, i));
      const late = all.filter((_, i) => i % 7 === 3);
      await store.write(batch({ readings: all.filter((_, i) => i % 7 !== 3) }));
      expect((await store.rollUp()).hours).toBe(48);
      // redelivered and late readings: recomputed, never added twice
      await store.write(batch({ readings: [...late, ...all.slice(0, 20)] }));
      const pass = await store.rollUp();
      expect(pass.pending).toBe(0);

      const hourly = await store.series({ deviceId: 'em-1', paths: ['$.totalKWh'], from: start, to: start + 2 * 86_400_000, stepMs: H });
      expect(hourly).toHaveLength(48);
      expect(hourly[0]).toEqual({ t: start, avg: 100 + 2.5 * 0.5, min: 100, max: 102.5, n: 6 });
      // steps align to multiples of the step since the epoch, like the raw query (local midnight here is 16:00 UTC)
      const fourHourly = await store.series({ deviceId: 'em-1', paths: ['$.powerKW'], from: start, to: start + 86_400_000, stepMs: 4 * H });
      expect(fourHourly.map((p) => p.n)).toEqual([24, 24, 24, 24, 24, 24]);
      expect(fourHourly.every((p) => p.avg === 3)).toBe(true);

      const days = await store.dailyUse({ deviceIds: ['em-1', 'em-2'], path: '$.totalKWh', from: start, to: start + 2 * 86_400_000 });
      expect(days).toEqual([
        // the first day from its first reading (none before it), the second from the first day's last
        { deviceId: 'em-1', date: TEST_CONTEXT.localDate('em-1', start), use: 143 * 0.5, readings: 144 },
        { deviceId: 'em-1', date: TEST_CONTEXT.localDate('em-1', start + 86_400_000), use: 144 * 0.5, readings: 144 },
      ]);
      // a span that starts on the second day reads the day before it for its starting reading
      const second = await store.dailyUse({ deviceIds: ['em-1'], path: '$.totalKWh', from: start + 86_400_000, to: start + 2 * 86_400_000 });
      expect(second.map((d) => d.use)).toEqual([144 * 0.5]);
    });

    it("daily use: a meter replaced mid-day, a register that wraps mid-day, and a silent day's catch-up shared", async () => {
      store = await open(TEST_CONTEXT);
      const start = TEST_CONTEXT.dayStart('em-1', T0);
      const readings: Reading[] = [];
      for (let i = 0; i < 4 * 24; i++) {
        const ts = start + i * H + 30 * 60_000;
        // em-1: +1 kWh an hour from 5000; replaced at noon of the second day by a new meter that reads 0.5 an hour later
        readings.push(reading('em-1', ts, { totalKWh: i < 36 ? 5000 + i : 0.5 + (i - 36) }, i));
        // em-2: +2 kWh an hour, wrapping past 99,999,999 in the morning of the second day; silent the whole third day
        if (i < 48 || i >= 72) readings.push(reading('em-2', ts, { totalKWh: (REGISTER_MAX - 59 + 2 * i) % (REGISTER_MAX + 1) }, i));
      }
      await store.write(batch({ readings }));
      await store.rollUp();
      const days = await store.dailyUse({ deviceIds: ['em-1', 'em-2'], path: '$.totalKWh', from: start, to: start + 4 * 86_400_000 });
      const date = (d: number) => TEST_CONTEXT.localDate('em-1', start + d * 86_400_000);
      expect(days).toEqual([
        { deviceId: 'em-1', date: date(0), use: 23, readings: 24 },
        // 12 kWh on the old meter (5023 -> 5035), the new one's 0.5 and 11 more: never 5035 - 0.5
        { deviceId: 'em-1', date: date(1), use: 12 + 0.5 + 11, readings: 24 },
        { deviceId: 'em-1', date: date(2), use: 24, readings: 24 },
        { deviceId: 'em-1', date: date(3), use: 24, readings: 24 },
        { deviceId: 'em-2', date: date(0), use: 46, readings: 24 },
        // 99,999,988 -> 99,999,998, wraps to 0 (+2), then to 34: 48, never 99,999,998 - 0
        { deviceId: 'em-2', date: date(1), use: 48, readings: 24 },
        // 34 -> 84 across the silent day: 50 shared between it and the day it came back
        { deviceId: 'em-2', date: date(2), use: 25, readings: 0, estimated: true },
        { deviceId: 'em-2', date: date(3), use: 25 + 46, readings: 24, estimated: true },
      ]);
    });

    it("daily use: a classroom meter's register jumping within its digits and back is no use", async () => {
      store = await open(TEST_CONTEXT);
      const start = TEST_CONTEXT.dayStart('em-1', T0);
      // em-1: +1 kWh an hour from 100 for three days; the first day's last reading is a corrupted 9,000,000 (within 8 digits)
      const readings = Array.from({ length: 3 * 24 }, (_, i) => reading('em-1', start + i * H + 30 * 60_000, { totalKWh: i === 23 ? 9_000_000 : 100 + i }, i));
      await store.write(batch({ readings }));
      await store.rollUp();
      const days = await store.dailyUse({ deviceIds: ['em-1'], path: '$.totalKWh', from: start, to: start + 3 * 86_400_000 });
      const date = (d: number) => TEST_CONTEXT.localDate('em-1', start + d * 86_400_000);
      expect(days).toEqual([
        // a day's rollup keeps no reading before the jump: the day counts nothing, never 9,000,000 - 100
        { deviceId: 'em-1', date: date(0), use: 0, readings: 24 },
        // from the last plausible reference (100) to 124, then 23 more: what the meter registered over both days
        { deviceId: 'em-1', date: date(1), use: 24 + 23, readings: 24 },
        { deviceId: 'em-1', date: date(2), use: 24, readings: 24 },
      ]);
      expect(days.reduce((s, d) => s + d.use, 0)).toBe(71);
    });

    it('rolls up phases and booleans (a boolean as the share of readings where it was true)', async () => {
      store = await open(TEST_CONTEXT);
      const readings = Array.from({ length: 4 }, (_, i) => reading('fr-1', T0 + i * 60_000, { tempC: 3 + i, doorOpen: i === 0 }));
      readings.push(
        reading('tr-1', T0, { currentA: [10, 30, 20], voltageV: [230, 231, 232] }),
        reading('tr-1', T0 + 60_000, { currentA: [50, 10, 20], voltageV: [230, 231, 232] }),
      );
      await store.write(batch({ readings }));
      await store.rollUp();
      const [door] = await store.series({ deviceId: 'fr-1', paths: ['$.doorOpen'], from: T0, to: T0 + H, stepMs: H });
      expect(door).toMatchObject({ avg: 0.25, n: 4 });
      const [temp] = await store.series({ deviceId: 'fr-1', paths: ['$.tempC'], from: T0, to: T0 + H, stepMs: H });
      expect(temp).toMatchObject({ avg: 4.5, min: 3, max: 6, n: 4 });
      const [worst] = await store.series({ deviceId: 'tr-1', paths: ['$.currentA[0]', '$.currentA[1]', '$.currentA[2]'], from: T0, to: T0 + H, stepMs: H });
      expect(worst?.max).toBe(50);
    });
  });
}
