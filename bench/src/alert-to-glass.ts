/**
 * Scenario 2, "alert to glass": the time from a device's publish of the reading that trips a
 * detector to the repair ticket painted on the wall screen, under background load.
 *
 * - The system: broker, ingest (SQLite) and dashboard as `npm start` wires them, in a child
 *   process (alert-system.ts: simulated logins, no simulator of its own), on free ports and a
 *   temp data dir, with a generated district school (device-sim/src/district.ts) as its campus.
 * - The background: the simulator's load mode (`sim:load --url`) in another child process, every
 *   device of that school but the fault meters on its own MQTT connection, QoS 1, at a fixed rate.
 * - The wall: the real /wall page in headless Chromium (1920x1080) with a display token. A
 *   MutationObserver notes each new ticket row when it is inserted and asks for the next animation
 *   frame; the rAF callback queues a task, which runs once that frame's rendering update (style,
 *   layout, paint) is done: that is the paint time. Chromium's rAF *timestamp* is the frame's
 *   begin-frame time, usually a few ms before the row was even inserted, so it is reported beside
 *   the figure but is not the figure.
 * - The faults: the bench logs in as a few water meters (real mqtt.js clients, the simulated
 *   logins) and publishes readings whose `status` flag is LEAK or BURST (alternating). The
 *   detector is `water.meter_alarm`, which raises at once on the flag: no duration rule, so the rule
 *   adds 0 ms and the whole figure is the pipeline. After each fault the meter reports OK again,
 *   the ticket is resolved through the API, and a random pause follows.
 * - The clocks: the publish time is this process's wall clock (timeOrigin + now, sub-ms); the
 *   page's is Chromium's timeOrigin + rAF timestamp; their offset is measured by round trips
 *   (the fastest of 25, before and after the run) and taken out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { stringify } from 'yaml';
import { telemetryTopic, type Ticket } from '@campus/contract';
import { DisplayTokens } from '@campus/dashboard';
import { districtCampusDocument } from '@campus/device-sim';
import { loadOrCreateKey, simulatedDevicePassword } from '@campus/runtime';
import { buildCampus } from '@campus/site';
import { apiClient, launchChromium, REPO_ROOT, startPart, tempDir, waitFor, type RunningPart } from '@campus/testkit';
import { fmtMs, percentile, type BenchResult, type Scenario, type ScenarioOptions } from './report.ts';

export const SCENARIO = '2. Alert to glass';
export const GOAL_P50_MS = 100;
/** on top of the detector's own duration rule, which is 0 ms for water.meter_alarm */
export const GOAL_P99_MS = 500;
export const DETECTOR = 'water.meter_alarm';
const DETECTOR_RULE_MS = 0;

/** The background load when nobody passes one: devices and msg/s (1 msg/s per device). */
export const DEFAULT_BACKGROUND = { full: { devices: 500, ratePerSecond: 500 }, quick: { devices: 100, ratePerSecond: 100 } } as const;

export interface AlertToGlassOptions {
  /** background messages per second (issue 7: half of scenario 1's sustained rate); default DEFAULT_BACKGROUND */
  ratePerSecond?: number;
  /** devices in the generated school (fault meters included); default DEFAULT_BACKGROUND */
  devices?: number;
  /** measured faults; default 60 (quick: 12) */
  faults?: number;
}

const FAULT_METERS = 5; // odd, so each meter alternates LEAK and BURST
const WARMUP_FAULTS = 2; // first faults after start-up (cold code paths), not counted
const FAULT_TIMEOUT_MS = 15_000;
const SITE_INDEX = 0; // d001

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the page reports for each ticket row it sees for the first time. */
interface Painted {
  id: number;
  text: string;
  cls: string;
  /** page clock, ms since the epoch: when the row was inserted (MutationObserver) */
  insertedAt: number;
  /** page clock: the requestAnimationFrame timestamp of the next frame (its nominal start, may precede the insertion) */
  frameAt: number;
  /** page clock: when that rAF callback ran (the frame's rendering update starts) */
  callbackAt: number;
  /** page clock: a task queued from the rAF callback, run after the frame's rendering update */
  afterPaintAt: number;
}

interface Sample {
  meter: string;
  flag: 'LEAK' | 'BURST';
  ticketId: number;
  /** publish -> painted on the wall (the figure) */
  glassMs: number;
  /** publish -> row inserted; -> rAF timestamp; -> rAF callback; -> after the frame's rendering */
  insertMs: number;
  frameMs: number;
  callbackMs: number;
  afterPaintMs: number;
  /** publish -> ticket pushed, as seen by a socket.io client in this process */
  pushMs: number;
  /** publish -> PUBACK from the broker */
  pubackMs: number;
}

/** Installed in the page once it is ready: reports every new ticket row with its paint time. */
const OBSERVER = `(() => {
  const list = document.getElementById('tickets');
  const seen = new Set([...list.children].map((li) => li.dataset.ticketId));
  new MutationObserver((mutations) => {
    const insertedAt = performance.timeOrigin + performance.now();
    const fresh = [];
    for (const m of mutations)
      for (const n of m.addedNodes) {
        const id = n.nodeType === 1 && n.dataset ? n.dataset.ticketId : undefined;
        if (!id || seen.has(id)) continue;
        seen.add(id);
        fresh.push({ id: Number(id), text: n.textContent, cls: n.className });
      }
    if (!fresh.length) return;
    requestAnimationFrame((ts) => {
      const frameAt = performance.timeOrigin + ts;
      const callbackAt = performance.timeOrigin + performance.now();
      // a task queued from the rAF callback runs after that frame's rendering update (style, layout, paint)
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const afterPaintAt = performance.timeOrigin + performance.now();
        for (const f of fresh) window.__benchPainted({ ...f, insertedAt, frameAt, callbackAt, afterPaintAt });
      };
      channel.port2.postMessage(0);
    });
  }).observe(list, { childList: true });
  return seen.size;
})()`;

/** page clock - this process's clock, ms, from the fastest of n round trips (and that round trip's length) */
async function clockOffset(page: Page, n = 25): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < n; i++) {
    const a = nowMs();
    const p = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
    const b = nowMs();
    if (b - a < best.rttMs) best = { offsetMs: p - (a + b) / 2, rttMs: b - a };
  }
  return best;
}

/** The simulator's load mode against the running broker, until stopped; its final figures parsed. */
function startLoad(args: string[]): { child: ChildProcess; output: () => string; stop(): Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/load-cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAMPUS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM'); // load-cli closes its connections and prints its figures
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The scenario with a given background load (the lead can pass half of scenario 1's sustained rate). */
export function alertToGlassAt(background: AlertToGlassOptions = {}): Scenario {
  return (opts) => run(opts, background);
}

/** The scenario with the default background load (DEFAULT_BACKGROUND). */
export const alertToGlass: Scenario = (opts) => run(opts, {});

async function run({ quick, log }: ScenarioOptions, background: AlertToGlassOptions): Promise<BenchResult[]> {
  const defaults = quick ? DEFAULT_BACKGROUND.quick : DEFAULT_BACKGROUND.full;
  const rate = background.ratePerSecond ?? defaults.ratePerSecond;
  const deviceCount = background.devices ?? defaults.devices;
  const measured = background.faults ?? (quick ? 12 : 60);
  if (!(rate > 0)) throw new RangeError(`background rate must be > 0 msg/s, not ${rate}`);

  const root = tempDir('campus-bench-glass-');
  const dataDir = join(root.path, 'data');
  let system: RunningPart | undefined;
  let load: ReturnType<typeof startLoad> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let socket: Socket | undefined;
  const meters: MqttClient[] = [];
  try {
    // the school: every device in the system's campus file; the load drives all but the fault meters
    const doc = districtCampusDocument(SITE_INDEX, { sites: 1, devicesPerSite: deviceCount, seed: 1 });
    const siteId = (doc.site as { id: string }).id;
    const allDevices = doc.devices as { id: string; kind: string; name: string; usage?: string }[];
    const faultMeters = allDevices.filter((d) => d.kind === 'water_meter' && d.usage === 'dormitory').slice(0, FAULT_METERS);
    if (faultMeters.length < FAULT_METERS)
      throw new Error(`a school of ${deviceCount} devices has too few dormitory water meters for ${FAULT_METERS} fault meters`);
    const faultIds = new Set(faultMeters.map((m) => m.id));
    const loadDoc = { ...doc, devices: allDevices.filter((d) => !faultIds.has(d.id)) };
    const campusFile = join(root.path, 'campus.yaml');
    const loadFile = join(root.path, 'load.yaml');
    for (const [file, d] of [
      [campusFile, doc],
      [loadFile, loadDoc],
    ] as const) {
      buildCampus(d, file); // never write an invalid file
      writeFileSync(file, stringify(d, { lineWidth: 160 }));
    }
    const backgroundDevices = loadDoc.devices.length;

    log(`system: broker + ingest + dashboard for ${siteId} (${allDevices.length} devices), child process`);
    system = await startPart(
      'bench/src/alert-system.ts',
      // the background load connects all its devices from 127.0.0.1 (sim:load --url): trusted, as a load test must say
      { CAMPUS_DATA_DIR: dataDir, CAMPUS_CONFIG: campusFile, CAMPUS_HTTP_PORT: '0', CAMPUS_MQTT_PORT: '0', CAMPUS_MQTT_TRUST_LOOPBACK: 'on' },
      /"httpPort":(\d+),"mqttPort":(\d+)/,
      120_000,
    );
    const base = `http://127.0.0.1:${system.ready[0]}`;
    const mqttUrl = `mqtt://127.0.0.1:${system.ready[1]}`;
    const api = apiClient(base, dataDir);
    const simKey = loadOrCreateKey(dataDir, 'sim');
    const token = new DisplayTokens(dataDir).add('bench 值班大屏').token;

    log(`background: sim:load --url, ${backgroundDevices} devices, ${rate} msg/s, QoS 1`);
    load = startLoad(['--url', mqttUrl, '--data-dir', dataDir, '--config', loadFile, '--rate', String(rate), '--qos', '1', '--duration', '3h', '--seed', '1']);
    const loadRef = load;
    await waitFor(
      'the background load to publish',
      () => {
        if (loadRef.child.exitCode !== null) throw new Error(`sim:load exited with ${loadRef.child.exitCode}:\n${loadRef.output()}`);
        return /\] publishing /.test(loadRef.output());
      },
      { timeoutMs: 120_000, everyMs: 200 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- sim:load ---\n${loadRef.output()}`);
    });

    // a socket client here: when each ticket is pushed (a breakdown of the figure) and its id
    const pushes = new Map<number, { deviceId: string; at: number }>();
    const resolvedPushes = new Set<number>();
    socket = io(base, { transports: ['websocket'], auth: { display: token } });
    socket.on('ticket', (t: Ticket) => {
      const at = nowMs();
      if (!pushes.has(t.id)) pushes.set(t.id, { deviceId: t.deviceId, at });
      if (t.status === 'resolved') resolvedPushes.add(t.id);
    });
    const sock = socket;
    await waitFor('the bench socket', () => sock.connected, { timeoutMs: 30_000 });

    // the wall
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const painted = new Map<number, Painted>();
    await page.exposeFunction('__benchPainted', (p: Painted) => {
      if (!painted.has(p.id)) painted.set(p.id, p);
    });
    await page.goto(`${base}/wall?token=${token}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await waitFor('the wall socket', async () => (await page.getAttribute('body', 'data-connected')) === 'true', { timeoutMs: 30_000 });
    await page.evaluate(OBSERVER);

    // the fault meters: real MQTT logins, first an ordinary reading each
    const state = faultMeters.map((m) => ({ ...m, seq: 0, ts: 0, totalM3: 1000 + Math.random() * 100 }));
    for (const m of faultMeters) {
      meters.push(
        await mqtt.connectAsync(mqttUrl, {
          clientId: m.id,
          username: m.id,
          password: simulatedDevicePassword(simKey, siteId, m.id),
          clean: true,
          protocolVersion: 4,
          reconnectPeriod: 0,
        }),
      );
    }
    const publish = (i: number, status: string): { sentAt: number; acked: Promise<number> } => {
      const m = state[i]!;
      m.seq++;
      m.ts = Math.max(Date.now(), m.ts + 1);
      m.totalM3 += 0.002;
      const body = JSON.stringify({ ts: m.ts, seq: m.seq, totalM3: Number(m.totalM3.toFixed(3)), flowM3h: status === 'OK' ? 0.3 : 6.5, status });
      const sentAt = nowMs();
      const acked = meters[i]!.publishAsync(telemetryTopic(siteId, m.id), body, { qos: 1 }).then(() => nowMs());
      return { sentAt, acked };
    };
    await Promise.all(state.map((_, i) => publish(i, 'OK').acked));
    await sleep(quick ? 2000 : 5000); // the background settles: every device connected and publishing for a while

    const before = await clockOffset(page);
    log(`page clock - bench clock: ${before.offsetMs.toFixed(2)} ms (round trip ${before.rttMs.toFixed(2)} ms); ${measured} faults + ${WARMUP_FAULTS} warm-up`);
    const samples: Sample[] = [];
    let missed = 0;
    const used = new Set<number>();
    for (let i = 0; i < WARMUP_FAULTS + measured; i++) {
      const k = i % state.length;
      const m = state[k]!;
      const flag = i % 2 === 0 ? 'LEAK' : 'BURST';
      const { sentAt, acked } = publish(k, flag);
      let ticketId: number | undefined;
      try {
        ticketId = await waitFor(
          `a ${flag} ticket for ${m.id} pushed`,
          () => [...pushes].find(([id, p]) => !used.has(id) && p.deviceId === m.id && p.at >= sentAt)?.[0],
          { timeoutMs: FAULT_TIMEOUT_MS, everyMs: 2 },
        );
        used.add(ticketId);
        const id = ticketId;
        const row = await waitFor(`ticket ${id} painted on the wall`, () => painted.get(id), { timeoutMs: FAULT_TIMEOUT_MS, everyMs: 2 });
        const pubackAt = await acked;
        if (!row.text.includes(m.name)) throw new Error(`ticket ${id}'s row reads "${row.text}", not ${m.name}`);
        const at = (pageMs: number) => pageMs - before.offsetMs - sentAt;
        if (i >= WARMUP_FAULTS)
          samples.push({
            meter: m.id,
            flag,
            ticketId: id,
            glassMs: at(row.afterPaintAt),
            insertMs: at(row.insertedAt),
            frameMs: at(row.frameAt),
            callbackMs: at(row.callbackAt),
            afterPaintMs: at(row.afterPaintAt),
            pushMs: pushes.get(id)!.at - sentAt,
            pubackMs: pubackAt - sentAt,
          });
      } catch (err) {
        if (i >= WARMUP_FAULTS) missed++;
        log(`fault ${i + 1} (${flag} on ${m.id}) missed: ${(err as Error).message}`);
      }
      // clear the flag, resolve the ticket, pause (a random gap: no lock-step with the 50 ms batches)
      await publish(k, 'OK').acked;
      const open = ticketId ? [ticketId] : ((await api.get(`/api/tickets?status=open&device=${m.id}`)).body as { tickets: Ticket[] }).tickets.map((t) => t.id);
      for (const id of open) {
        used.add(id);
        const res = await api.post(`/api/tickets/${id}/resolve`, { actor: 'bench', note: 'bench: alert-to-glass fault cleared' });
        if (res.status !== 200) throw new Error(`resolving ticket ${id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        await waitFor(`ticket ${id} resolved on the socket`, () => resolvedPushes.has(id), { timeoutMs: 10_000, everyMs: 5 });
      }
      await sleep(200 + Math.random() * 400);
      if ((i + 1) % 10 === 0) log(`${i + 1} faults`);
    }
    const after = await clockOffset(page);
    if (errors.length) throw new Error(`the wall page failed: ${errors.join('; ')}`);
    const otherTickets = ((await api.get('/api/tickets?status=open')).body as { tickets: Ticket[] }).tickets.filter((t) => !faultIds.has(t.deviceId));

    // the background's own figures
    const loadCode = await load.stop();
    const loadOut = load.output();
    load = undefined;
    const achieved = Number(/achieved\s+([\d.]+) msg\/s/.exec(loadOut)?.[1] ?? Number.NaN);
    const ackLatency = /ack latency\s+(.*)/.exec(loadOut)?.[1]?.trim() ?? '?';
    const skipped = /skipped turns\s+(.*)/.exec(loadOut)?.[1]?.trim() ?? '?';
    if (loadCode !== 0) log(`sim:load exited with ${loadCode}: ${loadOut.split('\n').slice(-16).join('\n')}`);

    // the figures; a missed fault counts as the timeout
    const glass = [...samples.map((s) => s.glassMs), ...Array<number>(missed).fill(FAULT_TIMEOUT_MS)];
    const pct = (xs: number[], p: number) => percentile(xs, p);
    const p50 = pct(glass, 50);
    const p90 = pct(glass, 90);
    const p99 = pct(glass, 99);
    const max = Math.max(...glass);
    const min = Math.min(...glass);
    const paintMs = samples.map((s) => s.glassMs - s.pushMs);
    const stat = (pick: (s: Sample) => number) => {
      const xs = samples.map(pick);
      return `p50 ${fmtMs(pct(xs, 50))}, p99 ${fmtMs(pct(xs, 99))}`;
    };
    const frameFirst = samples.filter((s) => s.frameMs < s.insertMs).length;
    const n = glass.length;
    const backgroundText = `${rate} msg/s QoS 1 from ${backgroundDevices} simulated devices (sim:load --url, one connection each; achieved ${achieved.toFixed(1)} msg/s)`;
    const detail =
      `${n} faults (+${WARMUP_FAULTS} warm-up not counted): a water meter's MQTT publish of a reading flagged LEAK or BURST, alternately, to the new ticket's row painted on /wall ` +
      `(real page, display token, headless Chromium 1920x1080; row insertion seen by a MutationObserver, painted = a task queued from the next requestAnimationFrame callback, run after that frame's rendering). ` +
      `Detector ${DETECTOR}: no duration rule, it adds ${DETECTOR_RULE_MS} ms. System: broker + ingest (SQLite, 50 ms batches) + dashboard as npm start wires them, in a child process; ` +
      `background load ${backgroundText}.`;
    const notes = [
      `n ${n}${missed ? ` (${missed} missed, counted as ${fmtMs(FAULT_TIMEOUT_MS)})` : ''}: min ${fmtMs(min)}, p50 ${fmtMs(p50)}, p90 ${fmtMs(p90)}, p99 ${fmtMs(p99)}, max ${fmtMs(max)}`,
      `where the time goes: publish -> PUBACK ${stat((s) => s.pubackMs)}; -> ticket pushed to a socket.io client in the bench process ${stat((s) => s.pushMs)} ` +
        `(ingest closes a batch 50 ms after its first reading); pushed -> painted p50 ${fmtMs(pct(paintMs, 50))}, p99 ${fmtMs(pct(paintMs, 99))}`,
      `in the page: row inserted ${stat((s) => s.insertMs)}; rAF callback ${stat((s) => s.callbackMs)}; after the frame's rendering (the figure) ${stat((s) => s.glassMs)}; ` +
        `the rAF timestamp itself ${stat((s) => s.frameMs)}, earlier than the insertion in ${frameFirst} of ${samples.length}`,
      `background load: ${backgroundText}; its PUBACK latency ${ackLatency}; skipped turns ${skipped}; ${otherTickets.length} other open tickets at the end`,
      `clocks: page - bench ${before.offsetMs.toFixed(2)} ms before, ${after.offsetMs.toFixed(2)} ms after (round trips ${before.rttMs.toFixed(2)} / ${after.rttMs.toFixed(2)} ms); the first taken out`,
    ];
    const goalP99 = GOAL_P99_MS + DETECTOR_RULE_MS;
    return [
      {
        scenario: SCENARIO,
        name: 'p50, device publish to ticket painted on /wall',
        detail,
        ours: { label: `p50 over ${n} faults`, value: p50, unit: 'ms' },
        peer: { label: 'goal p50', value: GOAL_P50_MS, unit: 'ms' },
        better: 'lower',
        goal: { text: `p50 < ${GOAL_P50_MS} ms`, met: p50 < GOAL_P50_MS },
        notes,
      },
      {
        scenario: SCENARIO,
        name: 'p99, device publish to ticket painted on /wall',
        detail: `the same ${n} faults; the goal is 500 ms on top of the detector's duration rule, which is 0 ms for ${DETECTOR}; background ${backgroundText}.`,
        ours: { label: `p99 over ${n} faults`, value: p99, unit: 'ms' },
        peer: { label: `goal p99 (500 ms + ${DETECTOR_RULE_MS} ms rule)`, value: goalP99, unit: 'ms' },
        better: 'lower',
        goal: { text: `p99 < ${goalP99} ms`, met: p99 < goalP99 },
        notes: [notes[0]!],
      },
    ];
  } finally {
    for (const c of meters) await c.endAsync(true).catch(() => {});
    socket?.close();
    await browser?.close().catch(() => {});
    await load?.stop().catch(() => {});
    await system?.stop().catch(() => {});
    root.remove();
  }
}
