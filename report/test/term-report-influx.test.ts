/**
 * The term report with readings and rollups in InfluxDB (CAMPUS_STORE=influx), against a real
 * influxd: the same simulated term, the same CLI, every table checked against the rollups read
 * back with InfluxQL (report-suite.ts).
 */
import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import { InfluxReadingStore, storeContext } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { influxdSuite } from '@campus/testkit';
import { influxRows } from './expected.ts';
import { reportChecks, reportWithCli, type Backfilled } from './report-suite.ts';
import { backfillTerms, writeTestCampus } from './term-fixture.ts';

const suite = influxdSuite();
let filled: Backfilled;

beforeAll(async () => {
  const { file, campus } = writeTestCampus(suite.dir);
  const url = suite.influxd.url;
  // history a year back: InfluxDB refuses raw points older than the raw retention policy (90 days by default)
  const store = new InfluxReadingStore({ url, db: 'campus', localFile: dbPath(suite.dir), context: storeContext([campus]), rawRetentionDays: 3650 });
  const t0 = performance.now();
  const readings = await backfillTerms(store, campus, suite.dir);
  store.close();
  const env = { CAMPUS_DATA_DIR: suite.dir, CAMPUS_CONFIG: file, CAMPUS_STORE: 'influx', CAMPUS_INFLUX_URL: url, CAMPUS_INFLUX_DB: 'campus' };
  const out = join(suite.dir, 'out');
  const { output, ms } = await reportWithCli(env, out);
  console.log(`[influx] backfilled ${readings} readings in ${((performance.now() - t0 - ms) / 1000).toFixed(1)} s; ${output.split('\n')[0]}`);
  filled = { campus, dataDir: suite.dir, env, rows: influxRows(url, 'campus'), out, reportMs: ms };
}, 600_000);

describe('term report on InfluxDB: the CLI files against the rollups', () => {
  reportChecks(() => filled);
});
