/**
 * One fixed-rate window against one system, for profiling (not part of `npm run bench`):
 *
 *   BENCH_SUT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node --import tsx bench/src/profile.ts [rate=5000] [ms=20000] [ours-sqlite|ours-influx|aedes]
 *
 * 1,000 simulated devices (5 sites x 200), QoS 1, at most 4 in flight each; prints what the load
 * sent and what the system stored, with the publish-to-stored latency. The system under test runs in
 * its own process (peers.ts), so the profile is of the broker and ingest alone; open the
 * .cpuprofile in Chrome DevTools or any V8 profile viewer.
 */
import { districtCampuses } from '@campus/device-sim';
import { startSystem, type SystemKind } from './peers.ts';
import { loadWindow } from './sustained-ingest.ts';

const rate = Number(process.argv[2] ?? 5000);
const ms = Number(process.argv[3] ?? 20_000);
const kind = (process.argv[4] ?? 'ours-sqlite') as SystemKind;
if (kind === 'ours-influx') throw new Error('ours-influx needs an influxd: use `npm run bench -- --only 5`');
const district = { sites: 5, devicesPerSite: 200 };
const campuses = districtCampuses(district);
const sys = await startSystem(kind, district);
try {
  await sys.sut.mark();
  const load = await loadWindow(sys, campuses, rate, ms, 1000);
  // what is still on its way gets a few seconds to be stored
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await sys.sut.counts()).events < load.acked) await new Promise((r) => setTimeout(r, 100));
  const report = await sys.sut.report();
  console.log(
    `${kind} at ${rate} msg/s for ${ms / 1000} s: sent ${load.sent} (${Math.round((load.sent * 1000) / load.publishMs)}/s), skipped ${load.skipped}, ` +
      `acked ${load.acked}, stored ${report.events}, p50 ${report.latency.p50} ms, p99 ${report.latency.p99} ms, max ${report.latency.max} ms`,
  );
} finally {
  await sys.stop();
}
