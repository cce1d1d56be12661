/**
 * Time acceleration: `npm run campus -- sim backfill` fills a past period of the simulated campus
 * straight into the store and rolls it up. The classroom meters follow the calendar: the 国庆节
 * holiday week uses a fraction of a school week.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openReadingStore } from '@campus/store';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { campusCli, tempDir } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());
const campus = loadCampus(DEMO_CAMPUS_FILE);

describe('simulator backfill', () => {
  it('writes three weeks of the campus in seconds, rolled up for the competition, holidays quiet', { timeout: 120_000 }, async () => {
    const out = await campusCli(dir.path, 'sim', 'backfill', '--from', '2026-09-21', '--to', '2026-10-11', '--step', '15m', '--devices', 'classroom');
    expect(out).toMatch(/backfilled 48,384 readings of 24 devices, 2026-09-21 to 2026-10-11 every 15 min, into sqlite/);
    const store = openReadingStore({ store: 'sqlite', dataDir: dir.path, influxUrl: '', influxDb: '', rawRetentionDays: 90 }, [campus], { readonly: true });
    const days = await store.dailyUse({
      deviceIds: ['em-g1c1'],
      path: '$.totalKWh',
      from: campus.calendar.startOfDay('2026-09-21'),
      to: campus.calendar.startOfDay('2026-10-12'),
    });
    store.close();
    expect(days).toHaveLength(21);
    const use = (from: string, to: string) => days.filter((d) => d.date >= from && d.date <= to).reduce((s, d) => s + d.use, 0);
    const schoolWeek = use('2026-09-21', '2026-09-25'); // Monday to Friday
    const holiday = use('2026-10-01', '2026-10-05'); // 国庆节, Thursday to Monday
    expect(schoolWeek).toBeGreaterThan(5 * holiday);

    // the term report of a data folder that only had a backfill (ingest never ran: no ticket tables)
    const out2 = await campusCli(dir.path, 'report', '--from', '2026-09-21', '--to', '2026-10-11', '--out', `${dir.path}/report`);
    expect(out2).toMatch(/files in .*report/);
    expect(out2).toMatch(/本期未生成报修单/);
  });
});
