/**
 * Three weeks of classroom electricity for the competition pages (/competition, /lobby), written
 * into a new store before the system starts: four classes, the same use a school day until 11-13,
 * then in the competition week 11-16..20 高一(1)班 uses 25 % less, 高一(2)班 10 %, 高三(5)班 5.6 %,
 * 高二(1)班 the same.
 */
import type { Reading } from '@campus/contract';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';

export const campus = loadCampus(DEMO_CAMPUS_FILE);
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Three weeks of classroom readings in a new store in `dataDir`. */
export async function writeClassReadings(dataDir: string) {
  // school-day use per class: before 11-16 and in the competition week 11-16..20 (all in the past)
  const plan: Record<string, [number, number]> = { 'em-g1c1': [20, 15], 'em-g1c2': [20, 18], 'em-g2c1': [16, 16], 'em-g3c5': [18, 17] };
  const store = new SqliteReadingStore(dbPath(dataDir), { context: storeContext([campus]) });
  for (const [deviceId, [before, during]] of Object.entries(plan)) {
    const readings: Reading[] = [];
    let total = 500;
    for (let d = '2026-10-12'; d <= '2026-11-20'; d = addDays(d, 1)) {
      const use = campus.calendar.isSchoolDay(d) ? (d >= '2026-11-16' ? during : before) : 0.4;
      for (const [hhmm, add] of [
        ['00:30', 0],
        ['23:30', use],
      ] as const) {
        total += add;
        const ts = Date.parse(`${d}T${hhmm}:00+08:00`);
        readings.push({ siteId: 'dongnan', deviceId, kind: 'electric_meter', ts, seq: 0, receivedAt: ts, values: { totalKWh: total } });
      }
    }
    await store.write({ readings, statuses: [], deadLetters: [] });
  }
  await store.rollUp();
  store.close();
}
