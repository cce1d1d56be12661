/**
 * `npm run sim:load -- --sites 50 --devices 200 --rate 2000 --qos 1 --duration 60s`: N sites x M
 * devices, each its own MQTT connection from this one process, at a total rate and QoS; a progress
 * line every second and the final figures. Exit code 1 when any connection or publish failed.
 *
 * Without --url it brings its own broker (simulated logins for the generated district, a temp
 * data dir, removed afterwards), and with --ingest the whole pipeline (SQLite in that dir), both put
 * together by the composition root (load/pipeline.ts, system.ts); the devices are the simulator's
 * (@campus/device-sim runLoad), which knows only the contract. The broker runs in this process when the open-file limit allows a socket at both ends of every
 * connection, else in a child process (same code, `--serve`), so 10,000 devices fit under the
 * usual 20,000. With --url it drives a broker that is already running (see --help).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { districtCampuses, FD_MARGIN, openFileLimit, runLoad, writeDistrict, type LoadFigures, type LoadProgress } from '@campus/device-sim';
import { createLog, describeError, loadOrCreateKey, runMain } from '@campus/runtime';
import { loadCampus, type Campus } from '@campus/site';
import { startChildPipeline, startPipeline, type ChildMessage, type Pipeline, type PipelineStats } from './load/pipeline.ts';

// the parts log warnings only (the progress lines are the output); the log level is read per line
process.env.CAMPUS_LOG_LEVEL ??= 'warn';

const USAGE = `usage: npm run sim:load -- [options]
  --sites N            sites in the generated district (d001, d002, ...)           default 10
  --devices M          devices per site                                            default 100
  --rate R             messages per second, all devices together                   default 500
  --qos 0|1            QoS of the telemetry                                        default 1
  --duration D         publishing time: 60s, 2m, 500ms (after every device connected)  default 30s
  --connect-rate C     new connections per second                                  default 500
  --in-flight K        unacknowledged messages a device may have                   default 1
  --seed S             district and simulation seed                                default 1
  --ingest             own broker only: also run ingest (SQLite in the temp dir), so the whole pipeline is loaded
  --broker auto|inproc|child   own broker in this process or a child process (auto: by the open-file limit)
  --json               print the final figures as JSON too
  --url mqtt://H:P     drive a running broker instead; needs --data-dir (its CAMPUS_DATA_DIR: the simulator
                       key secrets/sim.key) and the campuses that broker knows: --config FILE|DIR
                       (campus YAML files), or the district of --sites/--devices/--seed; a broker on this
                       machine needs CAMPUS_MQTT_TRUST_LOOPBACK=on (all devices come from 127.0.0.1)
  --config FILE|DIR    with --url: campus file(s) to simulate instead of a generated district
  --serve              run only a broker (simulated logins) for the district, until Ctrl-C:
                       --data-dir DIR (created; keeps sim.key) [--port 1883] [--host 127.0.0.1] [--ingest]
  --write-district DIR write the district as campus files DIR/d001.yaml ... and exit`;

function parse() {
  try {
    return parseArgs({
      options: {
        sites: { type: 'string', default: '10' },
        devices: { type: 'string', default: '100' },
        rate: { type: 'string', default: '500' },
        qos: { type: 'string', default: '1' },
        duration: { type: 'string', default: '30s' },
        'connect-rate': { type: 'string', default: '500' },
        'in-flight': { type: 'string', default: '1' },
        seed: { type: 'string', default: '1' },
        ingest: { type: 'boolean', default: false },
        broker: { type: 'string', default: 'auto' },
        json: { type: 'boolean', default: false },
        url: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        serve: { type: 'boolean', default: false },
        port: { type: 'string', default: '1883' },
        host: { type: 'string', default: '127.0.0.1' },
        'write-district': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const args = parse();

function int(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} ${text}: must be an integer >= ${min}`);
  return n;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} ${text}: must be a number > 0`);
  return n;
}

/** "60s", "2m", "500ms", "1h", "45" (seconds) -> ms */
function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--duration ${text}: use a duration like 60s, 2m or 500ms`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function campusesFromArgs(): Campus[] {
  if (args.config) {
    const path = args.config;
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(path, f))
      : [path];
    if (!files.length) throw new Error(`--config ${path}: no .yaml files`);
    return files.map((f) => loadCampus(f));
  }
  return districtCampuses({ sites: int('sites', args.sites, 1), devicesPerSite: int('devices', args.devices, 1), seed: int('seed', args.seed, 0) });
}

/** --serve: a broker (and ingest) for the district until told to stop (IPC "stop", SIGINT, SIGTERM). */
async function serve(): Promise<void> {
  if (!args['data-dir']) throw new Error('--serve needs --data-dir (the simulator key is kept there for the load process)');
  const campuses = campusesFromArgs();
  const devices = campuses.reduce((n, c) => n + c.devices.length, 0);
  const limit = openFileLimit();
  if (limit !== undefined && devices + FD_MARGIN > limit) {
    throw new Error(`a broker for ${devices} devices needs ${devices + FD_MARGIN} open files, but the limit is ${limit}: raise it (ulimit -n)`);
  }
  const pipeline = await startPipeline({
    dataDir: args['data-dir'],
    campuses,
    host: args.host,
    port: int('port', args.port, 0),
    ingest: args.ingest,
    log: createLog('load'),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await pipeline.stop();
    process.send?.({ type: 'stopped', stats: pipeline.stats() } satisfies ChildMessage);
    process.exit(0);
  };
  const timer = setInterval(() => process.send?.({ type: 'stats', stats: pipeline.stats() } satisfies ChildMessage), 500);
  process.on('SIGTERM', () => void stop());
  // under a load process, Ctrl-C reaches us too: that process closes its devices first, then stops us
  process.on('SIGINT', () => !process.send && void stop());
  if (process.send) {
    process.on('message', (m: { type?: string }) => m.type === 'stop' && void stop());
    process.on('disconnect', () => void stop()); // the load process is gone
    process.send({ type: 'ready', port: pipeline.port } satisfies ChildMessage);
  } else {
    console.log(
      `broker for ${campuses.length} sites, ${devices} simulated devices on ${pipeline.url}${args.ingest ? ' with ingest' : ''}; data dir ${args['data-dir']}\n` +
        `load it with: npm run sim:load -- --url ${pipeline.url} --data-dir ${args['data-dir']} ${args.config ? `--config ${args.config}` : `--sites ${args.sites} --devices ${args.devices} --seed ${args.seed}`} ...   (Ctrl-C stops)`,
    );
  }
}

function printProgress(p: LoadProgress, pipeline: PipelineStats | undefined): void {
  const t = `[${String(Math.round(p.elapsedMs / 1000)).padStart(4)}s]`;
  const broker = pipeline ? `  broker rx ${fmt(pipeline.received)}${pipeline.stored !== null ? ` stored ${fmt(pipeline.stored)}` : ''}` : '';
  console.log(
    `${t} ${p.phase.padEnd(11)} connected ${fmt(p.connected)}/${fmt(p.devices)}` +
      (p.connectErrors ? ` (${fmt(p.connectErrors)} failed)` : '') +
      `  sent ${fmt(p.sent)}  acked ${fmt(p.acked)}  errors ${fmt(p.errors + p.disconnects)}  skipped ${fmt(p.skipped)}` +
      `  ${fmt(p.msgPerSecond)} msg/s  RSS ${fmt(p.rssMB)} MB${broker}`,
  );
}

function printFigures(f: LoadFigures, pipeline: PipelineStats | undefined, where: string, ingest: boolean): void {
  const rows: [string, string][] = [
    [
      'devices',
      `${fmt(f.devices)} (${f.sites} sites), ${fmt(f.connected)} connected in ${secs(f.connectMs)}, ${fmt(f.connectErrors)} failed, ${fmt(f.disconnects)} lost`,
    ],
    ['target', `${fmt(f.targetRatePerSecond)} msg/s at QoS ${f.qos} for ${secs(f.publishMs)}`],
    ['sent', fmt(f.sent)],
    ['acknowledged', `${fmt(f.acked)} (${f.qos === 1 ? 'PUBACK' : 'written'}), ${fmt(f.unacked)} outstanding at the end`],
    ['publish errors', fmt(f.errors)],
    ['skipped turns', `${fmt(f.skipped)} (device still waiting for its ack), ${fmt(f.skippedDisconnected)} (not connected)`],
    ['achieved', `${f.achievedPerSecond.toFixed(1)} msg/s`],
    [
      'ack latency',
      f.ackLatencyMs
        ? `p50 ${f.ackLatencyMs.p50.toFixed(2)} ms, p99 ${f.ackLatencyMs.p99.toFixed(2)} ms, max ${f.ackLatencyMs.max.toFixed(1)} ms`
        : '(QoS 0: none)',
    ],
    [
      'RSS (this process)',
      `${fmt(f.rssMB.baseline)} MB before, ${fmt(f.rssMB.connected)} MB all connected, ${fmt(f.rssMB.peak)} MB peak: ${f.rssPerDeviceKB.toFixed(1)} KiB per device`,
    ],
    ['broker', where],
  ];
  if (pipeline) {
    rows.push(['broker received', `${fmt(pipeline.received)} telemetry messages`]);
    if (ingest) rows.push(['ingest stored', `${fmt(pipeline.stored ?? 0)} readings, ${fmt(pipeline.rejected ?? 0)} dead-lettered`]);
    if (where.includes('child')) rows.push(['RSS (broker process)', `${fmt(pipeline.rssMB)} MB`]);
  }
  for (const [k, v] of Object.entries(f.errorSamples)) rows.push(['error', `${v}x ${k}`]);
  console.log(`\nload: ${fmt(f.devices)} devices, ${f.url}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(22)} ${v}`);
}

const log = createLog('sim-load');
await runMain(log, async () => {
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if (args.serve) return serve();
  if (args['write-district']) {
    const files = writeDistrict(args['write-district'], {
      sites: int('sites', args.sites, 1),
      devicesPerSite: int('devices', args.devices, 1),
      seed: int('seed', args.seed, 0),
    });
    console.log(`wrote ${files.length} campus files to ${args['write-district']} (${files[0]} ...)`);
    return;
  }
  const qos = Number(args.qos);
  if (qos !== 0 && qos !== 1) throw new Error(`--qos ${args.qos}: must be 0 or 1`);
  const rate = positive('rate', args.rate);
  const durationMs = duration(args.duration);
  if (!['auto', 'inproc', 'child'].includes(args.broker)) throw new Error(`--broker ${args.broker}: must be auto, inproc or child`);
  if (args.url && args.ingest) throw new Error('--ingest runs with the own broker only: with --url, start ingest with that broker');

  const campuses = campusesFromArgs();
  const devices = campuses.reduce((n, c) => n + c.devices.length, 0);
  const limit = openFileLimit();
  if (limit !== undefined && devices + FD_MARGIN > limit) {
    throw new Error(
      `${devices} devices need ${devices + FD_MARGIN} open files in this process, but the limit is ${limit}: raise it (ulimit -n) or simulate fewer devices`,
    );
  }

  let pipeline: Pipeline | undefined;
  let tempDir: string | undefined;
  let simKey: string;
  let url: string;
  if (args.url) {
    const dataDir = args['data-dir'];
    if (!dataDir) throw new Error('--url needs --data-dir: the CAMPUS_DATA_DIR of that deployment (for secrets/sim.key)');
    if (!existsSync(join(dataDir, 'secrets', 'sim.key')))
      throw new Error(
        `${join(dataDir, 'secrets', 'sim.key')} does not exist: is --data-dir the broker's CAMPUS_DATA_DIR, and does it run with simulated devices (CAMPUS_SIM=on)?`,
      );
    simKey = loadOrCreateKey(dataDir, 'sim');
    url = args.url;
  } else {
    const inproc = args.broker === 'inproc' || (args.broker === 'auto' && (limit === undefined || 2 * devices + 2 * FD_MARGIN <= limit));
    if (inproc && limit !== undefined && 2 * devices + FD_MARGIN > limit) {
      throw new Error(
        `--broker inproc: ${devices} connections need ${2 * devices + FD_MARGIN} open files (both ends), but the limit is ${limit}: use --broker child or raise ulimit -n`,
      );
    }
    tempDir = mkdtempSync(join(tmpdir(), 'campus-load-'));
    try {
      if (inproc) {
        const p = await startPipeline({ dataDir: tempDir, campuses, host: '127.0.0.1', port: 0, ingest: args.ingest, log: createLog('load') });
        pipeline = { url: p.url, where: 'own, in this process', stats: p.stats, stop: async () => (await p.stop(), p.stats()) };
      } else {
        // the child runs this command with --serve, for the same campuses
        const passOn = ['--sites', args.sites, '--devices', args.devices, '--seed', args.seed, ...(args.config ? ['--config', args.config] : [])];
        pipeline = await startChildPipeline(fileURLToPath(import.meta.url), ['--data-dir', tempDir, ...passOn, ...(args.ingest ? ['--ingest'] : [])], log);
      }
    } catch (err) {
      rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
    simKey = loadOrCreateKey(tempDir, 'sim');
    url = pipeline.url;
  }

  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(1);
    console.log('stopping: closing the connections (Ctrl-C again to exit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(
    `load: ${campuses.length} sites x ${args.config ? 'their' : args.devices} devices = ${fmt(devices)} connections to ${url} (broker: ${pipeline?.where ?? 'running'}${args.ingest ? ', with ingest' : ''}); ` +
      `${fmt(rate)} msg/s at QoS ${qos} for ${secs(durationMs)}, connecting ${args['connect-rate']}/s`,
  );
  const where = pipeline?.where ?? `running, at ${url}`;
  let figures: LoadFigures;
  let final: PipelineStats | undefined;
  try {
    figures = await runLoad({
      url,
      campuses,
      simKey,
      ratePerSecond: rate,
      qos,
      durationMs,
      connectRatePerSecond: positive('connect-rate', args['connect-rate']),
      maxInFlight: int('in-flight', args['in-flight'], 1),
      seed: int('seed', args.seed, 0),
      onProgress: (p) => printProgress(p, pipeline?.stats()),
      signal: abort.signal,
    });
    if (pipeline) {
      // the broker counts a message before it acknowledges it; ingest stores what the broker forwards
      const caughtUp = (s: PipelineStats | undefined) => s && s.received >= figures.acked && (s.stored === null || s.stored + (s.rejected ?? 0) >= s.received);
      const deadline = Date.now() + 60_000;
      while (!caughtUp(pipeline.stats()) && Date.now() < deadline && !abort.signal.aborted) await new Promise((r) => setTimeout(r, 200));
      final = await pipeline.stop();
      pipeline = undefined;
    }
  } finally {
    await pipeline?.stop().catch((err) => log.error(`stopping the broker: ${describeError(err)}`));
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }

  printFigures(figures, final, where, args.ingest);
  if (args.json) console.log(JSON.stringify({ ...figures, pipeline: final ?? null }));
  // QoS 1: every acknowledged message must have reached the broker; QoS 0 promises nothing (reported, not failed)
  const lost = final ? figures.acked - final.received : 0;
  const unstored = final && final.stored !== null ? final.received - final.stored - (final.rejected ?? 0) : 0;
  const failed = figures.connectErrors + figures.errors + figures.disconnects + figures.unacked + (qos === 1 ? Math.max(0, lost) : 0) + Math.max(0, unstored);
  if (lost > 0) console.log(`  ${qos === 1 ? 'FAILED' : 'note (QoS 0)'}: ${fmt(lost)} messages sent were not counted by the broker`);
  if (unstored > 0) console.log(`  FAILED: ${fmt(unstored)} messages the broker received were not stored by ingest`);
  if (failed) process.exitCode = 1;
});
