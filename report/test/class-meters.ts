/**
 * Class electricity meters read every 15 minutes through November 2026 into a SQLite store of a
 * campus, rolled up; and a week's competition board (the store's daily use) beside the report's
 * energy table (from the rollups), for the tests that hold the two to one kWh.
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Reading } from '@campus/contract';
import { SqliteReadingStore, storeContext } from '@campus/store';
import type { Campus } from '@campus/site';
import { tempDir } from '@campus/testkit';
import { resolvePeriod, scoreCompetition } from '@campus/report';
import { resourceFigures } from '../src/energy.ts';
import { RollupReader } from '../src/rollup-reader.ts';

export const STEP = 15 * 60_000;
export const FROM = Date.parse('2026-11-01T00:07:00+08:00');
export const TO = Date.parse('2026-11-28T00:00:00+08:00');

/** a meter's register at its k-th reading (time ts); undefined: no reading */
export type Register = (k: number, ts: number) => number | undefined;

/** Registers it by device id from FROM to TO (in beforeAll); `week` scores a week as the board and the energy table do. */
export function classMeters(campus: Campus, registers: Record<string, Register>) {
  const dir = tempDir();
  const store = new SqliteReadingStore(join(dir.path, 'c.db'), { context: storeContext([campus]) });
  afterAll(() => {
    store.close();
    dir.remove();
  });
  beforeAll(async () => {
    const readings: Reading[] = [];
    for (let k = 0, ts = FROM; ts < TO; k++, ts += STEP) {
      for (const [deviceId, register] of Object.entries(registers)) {
        const value = register(k, ts);
        if (value !== undefined) readings.push({ siteId: 'dongnan', deviceId, kind: 'electric_meter', ts, seq: k, receivedAt: ts, values: { totalKWh: value } });
      }
    }
    await store.write({ readings, statuses: [], deadLetters: [] });
    while ((await store.rollUp(5000)).pending > 0);
  });
  return {
    store,
    async week(week: { from: string; to: string }) {
      const now = Date.parse('2026-11-28T09:00:00+08:00');
      const competition = await scoreCompetition(campus, store, { resource: 'electricity', period: 'custom', today: week.to, custom: week, now });
      const period = resolvePeriod(campus, { ...week, now });
      const energy = await resourceFigures({ campus, period, reader: new RollupReader(store), now }, 'electricity');
      return { competition, energy };
    },
  };
}
