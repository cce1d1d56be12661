/**
 * Scenarios 1, 4 and 5 of bench/README (issue 7): how much QoS 1 telemetry the whole pipeline
 * holds, what it costs in memory and CPU, and SQLite against InfluxDB.
 *
 * Every load comes from the simulator's load mode (`runLoad`: a generated district, every device
 * its own MQTT connection and login, native telemetry stamped "now"), run in this process. The
 * system under test runs in a child process of its own (bench/src/sut.ts; peers.ts starts it), so
 * the two share the machine's cores but not an event loop:
 *
 *   ours     broker (aedes, logins, ACL) + ingest (decode, validate, batch, store, detectors) in one process
 *   aedes    our broker + a plain QoS 1 subscriber that only counts: the ceiling of the pass-through
 *   naive    Debian's mosquitto + a subscriber inserting each reading in its own autocommit SQLite
 *            transaction (WAL, synchronous=FULL, as ours), in its own process
 *
 * "Held" at a rate: every device connected and stayed connected, the schedule was sent (at most
 * 1 % of turns skipped, 95 % of the rate achieved), every publish acknowledged, every acknowledged
 * reading counted in the store afterwards (zero loss, nothing dead-lettered), and p99 of
 * "stored time - device time" under 1 s. Stored time is when ingest's 'readings' event fires (after
 * the commit), or the naive subscriber's commit, or the pass-through subscriber's receipt.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { districtCampuses, runLoad, type LoadFigures } from '@campus/device-sim';
import { startInfluxd, tempDir } from '@campus/testkit';
import type { Campus } from '@campus/site';
import { startSystem, type District, type RunningSystem, type SystemKind } from './peers.ts';
import { groupSample, MB, slope } from './procs.ts';
import type { BenchResult, Scenario, ScenarioOptions } from './report.ts';
import type { SutReport } from './sut.ts';

const P99_LIMIT_MS = 1000;
/** unacknowledged messages a simulated device may have (the load mode's --in-flight) */
const IN_FLIGHT = 4;

interface Plan {
  district: District;
  /** the first rate tried, msg/s */
  start: number;
  /** the short windows of the search, ms */
  probeMs: number;
  /** how long the found rate must then hold, ms (0: the probe windows are the figure) */
  holdMs: number;
  /** bisection steps between the last rate held and the first one missed */
  bisect: number;
  /** how long a system may take to store its backlog after the load stopped before it is restarted, ms */
  catchUpMs: number;
  connectRate: number;
  /**
   * a fresh system (empty store, empty broker) for every window, so a window does not inherit the
   * readings, rollup work or broker state of the ones before: every rate starts from the same place
   */
  freshEachStep: boolean;
}

const plan = (quick: boolean): Plan =>
  quick
    ? {
        district: { sites: 5, devicesPerSite: 100 },
        start: 8000,
        probeMs: 1500,
        holdMs: 0,
        bisect: 0,
        catchUpMs: 3000,
        connectRate: 2500,
        freshEachStep: false,
      }
    : {
        district: { sites: 5, devicesPerSite: 200 },
        start: 4000,
        probeMs: 10_000,
        holdMs: 60_000,
        bisect: 3,
        catchUpMs: 30_000,
        connectRate: 1000,
        freshEachStep: true,
      };

const devicesOf = (d: District) => d.sites * d.devicesPerSite;
const fmtN = (n: number) => Math.round(n).toLocaleString('en');
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const round = (rate: number) => (rate >= 1000 ? Math.round(rate / 100) * 100 : Math.max(50, Math.round(rate / 50) * 50));

interface Step {
  rate: number;
  windowMs: number;
  held: boolean;
  why: string[];
  load: LoadFigures;
  sut: SutReport;
  /** counted in the store during the step */
  stored: number;
  /** the system stored everything it was sent before the catch-up time ran out */
  caughtUp: boolean;
}

function describeStep(kind: SystemKind, s: Step): string {
  const lat = s.sut.latency;
  return (
    `${kind} ${fmtN(s.rate)} msg/s x ${secs(s.windowMs)}: ${s.held ? 'held' : `missed (${s.why.join('; ')})`} — ` +
    `acked ${fmtN(s.load.acked)}, stored ${fmtN(s.stored)}, skipped ${fmtN(s.load.skipped)}, p50 ${Math.round(lat.p50)} ms, p99 ${Math.round(lat.p99)} ms, max ${Math.round(lat.max)} ms`
  );
}

/** The load of one window: every device of the district, QoS 1, at most IN_FLIGHT unacknowledged each (also bench/src/profile.ts). */
export function loadWindow(sys: RunningSystem, campuses: Campus[], rate: number, windowMs: number, connectRate: number): Promise<LoadFigures> {
  return runLoad({
    url: sys.url,
    campuses,
    simKey: sys.simKey,
    ratePerSecond: rate,
    qos: 1,
    durationMs: windowMs,
    connectRatePerSecond: connectRate,
    maxInFlight: IN_FLIGHT,
    drainTimeoutMs: 10_000,
  });
}

/** One window at one rate against a running system. */
async function step(sys: RunningSystem, campuses: Campus[], p: Plan, rate: number, windowMs: number): Promise<Step> {
  await sys.sut.mark();
  const load = await loadWindow(sys, campuses, rate, windowMs, p.connectRate);
  // the store catches up with what the broker acknowledged; a backlog of more than 1 % still there
  // a second after the load ended is a missed window already (those readings wait longer than 1 s)
  const ended = Date.now();
  let caughtUp = false;
  for (;;) {
    const c = await sys.sut.counts();
    const behind = load.acked - c.events - c.rejected;
    if (behind <= 0) {
      caughtUp = true;
      break;
    }
    const waited = Date.now() - ended;
    if (waited > p.catchUpMs || (waited > P99_LIMIT_MS && behind > 0.01 * load.acked)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const sut = await sys.sut.report();
  // a busy system answers late: what it stored meanwhile counts (its latency is in the p99)
  if (!caughtUp && sut.events + sut.rejected >= load.acked) caughtUp = true;
  const stored = sut.storeCount - sut.storeCountAtMark;
  const why: string[] = [];
  const schedule = load.sent + load.skipped + load.skippedDisconnected;
  if (load.connectErrors || load.disconnects) why.push(`${load.connectErrors} connections failed, ${load.disconnects} lost`);
  if (load.errors || load.unacked) why.push(`${load.errors} publish errors, ${load.unacked} never acknowledged`);
  if (load.skipped + load.skippedDisconnected > 0.01 * schedule) why.push(`${fmtN(load.skipped + load.skippedDisconnected)} turns skipped`);
  if ((load.sent * 1000) / load.publishMs < 0.95 * rate) why.push(`only ${fmtN((load.sent * 1000) / load.publishMs)} msg/s sent`);
  if (!caughtUp) why.push(`${fmtN(load.acked - sut.events - sut.rejected)} acknowledged readings still not stored ${secs(Date.now() - ended)} after the load`);
  else if (stored < load.acked) why.push(`${fmtN(load.acked - stored)} acknowledged readings missing in the store`);
  if (sut.rejected) why.push(`${fmtN(sut.rejected)} dead-lettered`);
  if (!(sut.latency.p99 < P99_LIMIT_MS)) why.push(`p99 ${Math.round(sut.latency.p99)} ms`);
  return { rate, windowMs, held: why.length === 0, why, load, sut, stored, caughtUp };
}

interface Search {
  kind: SystemKind;
  /** the highest rate held for the hold window (0: not even the lowest) */
  held: number;
  /** the window that shows it */
  proof?: Step;
  steps: Step[];
  where: string;
}

/**
 * The highest rate held: doubling from `start` (or halving when `start` is missed), a few
 * bisections between the last rate held and the first missed, then (full mode) the found rate
 * held for the long window, 20 % lower each time it is missed.
 */
async function search(kind: SystemKind, p: Plan, log: ScenarioOptions['log'], influx?: { url: string; db: string }): Promise<Search> {
  const campuses = districtCampuses(p.district);
  let sys = await startSystem(kind, p.district, influx);
  const where = sys.where;
  let dirty = false;
  const steps: Step[] = [];
  const run = async (rate: number, windowMs: number) => {
    if (dirty || (p.freshEachStep && steps.length)) {
      // a backlog (or the store of earlier windows) would spoil the next window: a fresh system
      await sys.stop(dirty);
      sys = await startSystem(kind, p.district, influx);
      dirty = false;
    }
    const s = await step(sys, campuses, p, rate, windowMs);
    steps.push(s);
    log(describeStep(kind, s));
    dirty = !s.caughtUp;
    return s;
  };
  try {
    let lo: Step | undefined;
    let hi: number | undefined;
    const first = await run(p.start, p.probeMs);
    if (first.held) {
      lo = first;
      for (let rate = p.start * 2; rate <= 64_000; rate *= 2) {
        const s = await run(rate, p.probeMs);
        if (!s.held) {
          hi = rate;
          break;
        }
        lo = s;
      }
    } else {
      hi = p.start;
      for (let rate = round(p.start / 2); rate >= 50; rate = round(rate / 2)) {
        const s = await run(rate, p.probeMs);
        if (s.held) {
          lo = s;
          break;
        }
        hi = rate;
        if (rate === 50) break;
      }
    }
    for (let i = 0; i < p.bisect && lo && hi !== undefined; i++) {
      const mid = round((lo.rate + hi) / 2);
      if (mid <= lo.rate || mid >= hi) break;
      const s = await run(mid, p.probeMs);
      if (s.held) lo = s;
      else hi = mid;
    }
    if (lo && p.holdMs > p.probeMs) {
      // a short window hides what builds up over a minute (a backlog the broker never works off,
      // periodic work such as rollups): step down 20 % until the long window holds
      let rate = lo.rate;
      lo = undefined;
      for (let tries = 0; tries < 7 && rate >= 50; tries++) {
        const s = await run(rate, p.holdMs);
        if (s.held) {
          lo = s;
          break;
        }
        rate = round(rate * 0.8);
      }
    }
    return { kind, held: lo?.rate ?? 0, proof: lo, steps, where };
  } finally {
    await sys.stop(dirty);
  }
}

function proofNotes(label: string, s: Search): string[] {
  const p = s.proof;
  const tried = s.steps.map((x) => `${fmtN(x.rate)}${x.windowMs > 15_000 ? ` (${secs(x.windowMs)})` : ''} ${x.held ? 'held' : 'missed'}`).join(', ');
  // the lowest rate missed above the one held, and why: the system, or the load generator running out of turns
  const above = s.steps.filter((x) => !x.held && x.rate > (p?.rate ?? 0)).sort((a, b) => a.rate - b.rate)[0];
  const next = above
    ? `; ${fmtN(above.rate)} msg/s missed: ${above.why.join('; ')}${above.why.some((w) => w.startsWith('p99')) ? '' : ` (p99 ${Math.round(above.sut.latency.p99)} ms)`}`
    : '';
  if (!p) return [`${label}: no rate held; tried ${tried}${next}`];
  return [
    `${label}: ${fmtN(p.rate)} msg/s for ${secs(p.load.publishMs)}: ${fmtN(p.load.acked)} acknowledged, ${fmtN(p.stored)} counted in the store (loss 0), ` +
      `publish-to-stored p50 ${Math.round(p.sut.latency.p50)} ms, p99 ${Math.round(p.sut.latency.p99)} ms, max ${Math.round(p.sut.latency.max)} ms; ` +
      `PUBACK p99 ${p.load.ackLatencyMs ? Math.round(p.load.ackLatencyMs.p99) : '-'} ms; tried ${tried}${next}`,
  ];
}

/**
 * What one autocommit INSERT with synchronous=FULL costs on this machine's temp disk, WAL and the
 * default rollback journal: the naive peer pays it per message (an fsync or more each).
 */
function commitCost(n: number): { walMs: number; rollbackMs: number } {
  const dir = tempDir('campus-bench-commit-');
  try {
    const per = (mode: string) => {
      const db = new Database(join(dir.path, `${mode}.db`));
      db.pragma(`journal_mode = ${mode}`);
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE r (d TEXT NOT NULL, ts INTEGER NOT NULL, v TEXT NOT NULL, PRIMARY KEY (d, ts)) WITHOUT ROWID');
      const insert = db.prepare('INSERT INTO r VALUES (?, ?, ?)');
      const t = performance.now();
      for (let i = 0; i < n; i++) insert.run(`d${i % 100}`, i, '{"ts":1,"seq":1,"totalKWh":1234.5,"powerKW":2.1}');
      const ms = (performance.now() - t) / n;
      db.close();
      return ms;
    };
    return { walMs: per('WAL'), rollbackMs: per('DELETE') };
  } finally {
    dir.remove();
  }
}

/** Scenario 1's SQLite search, kept for scenario 5 when both run in one bench process. */
let sqliteSearch: { quick: boolean; search: Search } | undefined;

function planDetail(p: Plan, quick: boolean): string {
  return (
    `${fmtN(devicesOf(p.district))} simulated devices (${p.district.sites} sites x ${p.district.devicesPerSite}, every one its own MQTT connection and login), QoS 1, ` +
    `at most ${IN_FLIGHT} unacknowledged per device; the load generator (load mode) in the bench process, each system under test in its own processes (2 shared cores). ` +
    (quick
      ? `Quick mode: half the full run's devices, ${secs(p.probeMs)} windows, doubling from ${fmtN(p.start)} msg/s only — indicative, not the 60 s figure.`
      : `Rates doubled from ${fmtN(p.start)} msg/s in ${secs(p.probeMs)} windows, bisected ${p.bisect} times, then held for ${secs(p.holdMs)} (20 % lower when missed); every window on a freshly started system with an empty store.`) +
    ` Held = zero loss (every acknowledged publish counted in the store) and p99 publish-to-stored < 1 s.`
  );
}

export const sustainedIngest: Scenario = async ({ quick, log }) => {
  const p = plan(quick);
  const ours = await search('ours-sqlite', p, log);
  sqliteSearch = { quick, search: ours };
  const aedes = await search('aedes', p, log);
  const naive = await search('naive', p, log);
  const commit = commitCost(quick ? 200 : 2000);
  const detail = planDetail(p, quick);
  const oursFig = { label: 'full pipeline, SQLite: highest rate held', value: ours.held, unit: 'msg/s' };
  return [
    {
      scenario: '1. Sustained ingest',
      name: 'full pipeline against the aedes pass-through ceiling',
      detail: `${detail} Ours: ${ours.where}, its broker's queues on disk (the default; PUBACK after the commit). Ceiling: ${aedes.where}, its queues in memory, the same load.`,
      ours: oursFig,
      peer: { label: 'aedes pass-through (no processing): highest rate held', value: aedes.held, unit: 'msg/s' },
      better: 'higher',
      goal: { text: '≥ 0.6 of the aedes ceiling', met: aedes.held > 0 && ours.held >= 0.6 * aedes.held },
      notes: [...proofNotes('ours', ours), ...proofNotes('aedes', aedes)],
    },
    {
      scenario: '1. Sustained ingest',
      name: 'full pipeline against a naive mosquitto + SQLite-per-message peer',
      detail: `${detail} Peer: ${naive.where}; mosquitto with max_queued_messages 0 (no limit) and no persistence; every message its own autocommit INSERT (WAL, synchronous=FULL).`,
      ours: oursFig,
      peer: { label: 'mosquitto + naive subscriber: highest rate held', value: naive.held, unit: 'msg/s' },
      better: 'higher',
      goal: { text: '≥ 3× the naive peer', met: ours.held > 0 && ours.held >= 3 * naive.held },
      notes: [
        ...proofNotes('naive', naive),
        `one autocommit INSERT (synchronous=FULL) on this machine's disk: ${commit.walMs.toFixed(2)} ms in WAL (used), ${commit.rollbackMs.toFixed(2)} ms with the default rollback journal` +
          ' (the peer pays one per message)',
      ],
    },
  ];
};

export const storeComparison: Scenario = async ({ quick, log }) => {
  const p = plan(quick);
  let sqlite = sqliteSearch?.quick === quick ? sqliteSearch.search : undefined;
  const reused = Boolean(sqlite);
  if (!sqlite) sqlite = await search('ours-sqlite', p, log);
  const influxd = await startInfluxd();
  let influx: Search;
  try {
    influx = await search('ours-influx', p, log, { url: influxd.url, db: 'bench' });
  } finally {
    await influxd.remove();
  }
  return [
    {
      scenario: '5. Store comparison',
      name: 'scenario 1 on InfluxDB against SQLite',
      detail:
        `${planDetail(p, quick)} Ours: the full pipeline on InfluxDB 1.6.7 (a local influxd, its own process; ingest writes over HTTP). ` +
        `Peer: the same pipeline on SQLite${reused ? " (scenario 1's measurement in this run)" : ''}.`,
      ours: { label: 'full pipeline, InfluxDB: highest rate held', value: influx.held, unit: 'msg/s' },
      peer: { label: 'full pipeline, SQLite: highest rate held', value: sqlite.held, unit: 'msg/s' },
      better: 'higher',
      notes: [...proofNotes('InfluxDB', influx), ...proofNotes('SQLite', sqlite)],
    },
  ];
};

interface FootprintPlan {
  district: District;
  rate: number;
  warmupMs: number;
  windowMs: number;
  sampleEveryMs: number;
  connectRate: number;
}

interface Footprint {
  kind: SystemKind;
  where: string;
  /** mean total RSS over the window, MB */
  rssMB: number;
  rssStartMB: number;
  rssEndMB: number;
  rssPeakMB: number;
  /** per process, mean MB */
  perProcessMB: number[];
  /** regression slope of the total RSS times the window, as % of the mean (full mode: the window is 10 minutes) */
  growthPct: number;
  /** live JS heap after a full GC of the node process under test, at the window's start and end (NaN: not node) */
  heapStartMB: number;
  heapEndMB: number;
  cpuSeconds: number;
  readings: number;
  cpuPer10k: number;
  load: LoadFigures;
  sut: SutReport;
}

async function footprintRun(kind: SystemKind, f: FootprintPlan, log: ScenarioOptions['log']): Promise<Footprint> {
  const campuses = districtCampuses(f.district);
  const sys = await startSystem(kind, f.district);
  try {
    let publishingSince: number | undefined;
    const loadDone = runLoad({
      url: sys.url,
      campuses,
      simKey: sys.simKey,
      ratePerSecond: f.rate,
      qos: 1,
      // the window ends a little before the load does
      durationMs: f.warmupMs + f.windowMs + 500,
      connectRatePerSecond: f.connectRate,
      maxInFlight: IN_FLIGHT,
      onProgress: (pr) => {
        if (pr.phase === 'publishing' && publishingSince === undefined) publishingSince = Date.now();
      },
    });
    let ended = false;
    let failed: unknown;
    loadDone.then(
      () => (ended = true),
      (err) => ((ended = true), (failed = err ?? new Error('the load failed'))),
    );
    while (publishingSince === undefined && !ended) await new Promise((r) => setTimeout(r, 100));
    if (failed) throw failed;
    if (publishingSince === undefined) throw new Error(`${kind}: the load ended before it published`);
    log(`${kind}: ${fmtN(devicesOf(f.district))} devices connected, ${fmtN(f.rate)} msg/s; warming up ${secs(f.warmupMs)}`);
    await new Promise((r) => setTimeout(r, f.warmupMs));
    await sys.sut.mark();
    const heapStart = await sys.sut.heap();
    const t0 = Date.now();
    const first = groupSample(sys.pids);
    const ts: number[] = [0];
    const rss: number[] = [MB(first.rssBytes)];
    const per: number[][] = first.each.map((s) => [MB(s?.rssBytes ?? 0)]);
    let last = first;
    let nextLog = t0 + 60_000;
    while (Date.now() - t0 < f.windowMs) {
      await new Promise((r) => setTimeout(r, Math.min(f.sampleEveryMs, f.windowMs - (Date.now() - t0))));
      last = groupSample(sys.pids);
      ts.push((Date.now() - t0) / 1000);
      rss.push(MB(last.rssBytes));
      last.each.forEach((s, i) => per[i]?.push(MB(s?.rssBytes ?? 0)));
      if (Date.now() >= nextLog) {
        log(`${kind}: ${secs(Date.now() - t0)} into the window, RSS ${MB(last.rssBytes).toFixed(0)} MB`);
        nextLog += 60_000;
      }
    }
    const sut = await sys.sut.report();
    const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
    // after the CPU sample: the forced collection is not the system's own work
    const heapEnd = await sys.sut.heap();
    const load = await loadDone;
    const mean = rss.reduce((a, b) => a + b, 0) / rss.length;
    const r: Footprint = {
      kind,
      where: sys.where,
      rssMB: mean,
      rssStartMB: rss[0]!,
      rssEndMB: rss[rss.length - 1]!,
      rssPeakMB: Math.max(...rss),
      perProcessMB: per.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
      growthPct: ((slope(ts, rss) * (f.windowMs / 1000)) / mean) * 100,
      heapStartMB: MB(heapStart),
      heapEndMB: MB(heapEnd),
      cpuSeconds,
      readings: sut.events,
      cpuPer10k: sut.events ? (cpuSeconds / sut.events) * 10_000 : Number.NaN,
      load,
      sut,
    };
    log(
      `${kind}: RSS ${r.rssMB.toFixed(0)} MB (start ${r.rssStartMB.toFixed(0)}, end ${r.rssEndMB.toFixed(0)}, peak ${r.rssPeakMB.toFixed(0)}), ` +
        `growth ${r.growthPct.toFixed(2)} % over the window, live heap after GC ${r.heapStartMB.toFixed(0)} -> ${r.heapEndMB.toFixed(0)} MB, ${cpuSeconds.toFixed(1)} CPU-s for ${fmtN(sut.events)} readings`,
    );
    return r;
  } finally {
    await sys.stop();
  }
}

export const footprint: Scenario = async ({ quick, log }) => {
  const f: FootprintPlan = quick
    ? { district: { sites: 5, devicesPerSite: 200, reportingIntervalS: 10 }, rate: 100, warmupMs: 1000, windowMs: 2500, sampleEveryMs: 250, connectRate: 2500 }
    : {
        district: { sites: 50, devicesPerSite: 200, reportingIntervalS: 10 },
        rate: 1000,
        warmupMs: 120_000,
        windowMs: 600_000,
        sampleEveryMs: 5000,
        connectRate: 1000,
      };
  const ours = await footprintRun('ours-sqlite', f, log);
  const naive = await footprintRun('naive', f, log);
  const devices = devicesOf(f.district);
  const detail =
    `${fmtN(devices)} simulated devices (${f.district.sites} sites x ${f.district.devicesPerSite}) reporting every 10 s = ${fmtN(f.rate)} msg/s QoS 1 through the whole pipeline; ` +
    `measured over ${secs(f.windowMs)} after ${secs(f.warmupMs)} of warm-up${quick ? ' (quick mode: 1/10 of the devices and a few seconds — not the 10,000-device, 10-minute figure)' : ''}. ` +
    `Ours: ${ours.where}. Peer: ${naive.where}. The load generator (bench process) is not counted.`;
  const side = (x: Footprint) =>
    `${x.kind}: RSS mean ${x.rssMB.toFixed(0)} MB (start ${x.rssStartMB.toFixed(0)}, end ${x.rssEndMB.toFixed(0)}, peak ${x.rssPeakMB.toFixed(0)}; per process ${x.perProcessMB.map((m) => m.toFixed(0)).join(' + ')} MB), ` +
    `${x.cpuSeconds.toFixed(1)} CPU-s for ${fmtN(x.readings)} readings stored in the window (${fmtN(x.load.acked)} acknowledged over the whole run), publish-to-stored p99 ${Math.round(x.sut.latency.p99)} ms`;
  const loadNote = `load generator (not counted): ${fmtN(ours.load.rssMB.peak)} MB peak RSS with ${fmtN(devices)} connections`;
  const growth = (x: Footprint) => Math.max(x.growthPct, 0.1);
  const windowText = quick ? `over the ${secs(f.windowMs)} quick window (not a leak test)` : 'over the 10-minute window';
  return [
    {
      scenario: '4. Footprint',
      name: 'total RSS of the system under test',
      detail,
      ours: { label: 'broker + ingest, mean RSS', value: ours.rssMB, unit: 'MB' },
      peer: { label: 'mosquitto + naive subscriber, mean RSS', value: naive.rssMB, unit: 'MB' },
      better: 'lower',
      notes: [side(ours), side(naive), loadNote],
    },
    {
      scenario: '4. Footprint',
      name: 'CPU time per 10,000 readings',
      detail,
      ours: { label: 'broker + ingest, CPU-s per 10,000 readings', value: ours.cpuPer10k, unit: 's' },
      peer: { label: 'mosquitto + naive subscriber, CPU-s per 10,000', value: naive.cpuPer10k, unit: 's' },
      better: 'lower',
    },
    {
      scenario: '4. Footprint',
      name: 'RSS growth after warm-up',
      detail: `${detail} Growth = least-squares slope of the total RSS ${windowText}, as % of the mean; below 0.1 % is shown as 0.1 % (noise).`,
      ours: { label: `broker + ingest, RSS growth over ${quick ? secs(f.windowMs) : '10 min'}`, value: growth(ours), unit: '%' },
      peer: { label: `mosquitto + naive subscriber, growth over ${quick ? secs(f.windowMs) : '10 min'}`, value: growth(naive), unit: '%' },
      better: 'lower',
      // a few seconds right after start-up say nothing about a leak: the goal is judged on the full run only
      goal: quick ? undefined : { text: 'RSS growth under 1 % per 10 minutes after warm-up', met: ours.growthPct < 1 },
      notes: [
        `raw: ours ${ours.growthPct.toFixed(2)} %, peer ${naive.growthPct.toFixed(2)} % over ${secs(f.windowMs)}`,
        `live JS heap after a full GC (the node process under test): ours ${ours.heapStartMB.toFixed(1)} -> ${ours.heapEndMB.toFixed(1)} MB, peer ${naive.heapStartMB.toFixed(1)} -> ${naive.heapEndMB.toFixed(1)} MB: RSS growth without heap growth is V8 and malloc sizing, not retained objects`,
        ...(quick ? ['goal (under 1 % per 10 minutes after warm-up) judged in full mode only: a quick window is start-up, not a leak test'] : []),
      ],
    },
  ];
};
