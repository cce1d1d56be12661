/**
 * The store conformance suite: every backend must pass it (SQLite now, InfluxDB next).
 * `open()` gives a fresh, empty store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '@campus/contract';
import type { Batch, ReadingStore } from '@campus/ingest';

const T0 = Date.parse('2026-11-23T08:00:00+08:00');

export function reading(deviceId: string, ts: number, values: Record<string, unknown>, seq = 0): Reading {
  return { siteId: 'dongnan', deviceId, kind: 'electric_meter', ts, seq, receivedAt: ts + 50, values: values as unknown as Reading['values'] };
}

const batch = (b: Partial<Batch>): Batch => ({ readings: [], statuses: [], deadLetters: [], ...b });

export function describeStore(name: string, open: () => ReadingStore): void {
  describe(`reading store conformance: ${name}`, () => {
    let store: ReadingStore;
    afterEach(() => store?.close());

    it('stores a batch and reports what it stored', async () => {
      store = open();
      const result = await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1, powerKW: 2 }), reading('em-2', T0, { totalKWh: 5 })] }));
      expect(result).toEqual({ stored: 2, duplicates: 0 });
      expect(
        store
          .lastReadings()
          .map((l) => l.deviceId)
          .sort(),
      ).toEqual(['em-1', 'em-2']);
    });

    it('stores a redelivered reading (same device and time) once', async () => {
      store = open();
      await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 })] }));
      const again = await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 }), reading('em-1', T0 + 1000, { totalKWh: 1.1 })] }));
      expect(again).toEqual({ stored: 1, duplicates: 1 });
      expect(store.series({ deviceId: 'em-1', paths: ['$.totalKWh'], from: T0, to: T0 + 60_000, stepMs: 60_000 })).toEqual([
        { t: expect.any(Number), avg: 1.05, min: 1, max: 1.1, n: 2 },
      ]);
    });

    it('keeps the newest reading as "last" when readings arrive out of order', async () => {
      store = open();
      await store.write(batch({ readings: [reading('em-1', T0 + 60_000, { totalKWh: 2 }, 2)] }));
      await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 }, 1)] }));
      const last = store.lastReadings().find((l) => l.deviceId === 'em-1')!;
      expect(last.ts).toBe(T0 + 60_000);
      expect(last.values).toEqual({ totalKWh: 2 });
      expect(last.receivedAt).toBe(T0 + 60_050);
    });

    it('downsamples into aligned buckets with avg, min, max and count', async () => {
      store = open();
      const readings = Array.from({ length: 120 }, (_, i) => reading('em-1', T0 + i * 30_000, { powerKW: i % 2 ? 3 : 1 }));
      await store.write(batch({ readings }));
      const points = store.series({ deviceId: 'em-1', paths: ['$.powerKW'], from: T0, to: T0 + 3600_000, stepMs: 600_000 });
      expect(points).toHaveLength(6);
      for (const p of points) {
        expect(p.t % 600_000).toBe(0);
        expect(p).toMatchObject({ avg: 2, min: 1, max: 3, n: 20 });
      }
    });

    it('takes the largest of several paths (worst phase)', async () => {
      store = open();
      await store.write(batch({ readings: [reading('tr-1', T0, { currentA: [10, 30, 20], voltageV: [230, 230, 230] })] }));
      const [p] = store.series({ deviceId: 'tr-1', paths: ['$.currentA[0]', '$.currentA[1]', '$.currentA[2]'], from: T0, to: T0 + 1, stepMs: 1000 });
      expect(p?.max).toBe(30);
    });

    it('keeps dead letters with their reason and bytes, and status changes', async () => {
      store = open();
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
  });
}
