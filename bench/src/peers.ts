/**
 * The processes the ingest benchmarks measure, each started on free ports in a temp dir and
 * stopped (or killed) afterwards, also when the bench fails or exits early:
 *
 *   startSut     bench/src/sut.ts in a child process: ours (broker + ingest), the aedes pass-through,
 *                or the naive peer's subscriber
 *   startMosquitto   Debian's mosquitto with a temp config: the naive peer's broker
 *   startSystem  one of the three systems as a whole: the pids to measure, the URL the load goes to
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateKey } from '@campus/runtime';
import { freePort, REPO_ROOT, tempDir, waitFor, WaitAborted } from '@campus/testkit';
import type { SutMessage, SutMode, SutReport, SutRequest } from './sut.ts';

export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Every child still running, killed if this process exits without stopping it. */
const live = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

async function killAndWait(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface District {
  sites: number;
  devicesPerSite: number;
  seed?: number;
  reportingIntervalS?: number;
}

export interface SutOptions {
  mode: SutMode;
  /** ours, aedes: the broker's data dir (its simulator key, campus.db) */
  dataDir?: string;
  district?: District;
  store?: 'sqlite' | 'influx';
  influx?: { url: string; db: string };
  /** naive: the broker to subscribe to, the SQLite file */
  url?: string;
  db?: string;
}

export interface SutProcess {
  pid: number;
  /** the broker's port (ours, aedes) */
  port: number;
  mark(): Promise<number>;
  counts(): Promise<{ events: number; rejected: number }>;
  report(): Promise<SutReport>;
  /** bytes of live JS heap after a full GC */
  heap(): Promise<number>;
  /** a clean stop, or (hard) SIGKILL at once: for a system thrown away with a backlog */
  stop(hard?: boolean): Promise<void>;
  /** what it wrote to stderr lately */
  output(): string;
}

export async function startSut(opts: SutOptions): Promise<SutProcess> {
  const args = ['--mode', opts.mode];
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  if (opts.district) {
    const d = opts.district;
    args.push(
      '--sites',
      String(d.sites),
      '--devices',
      String(d.devicesPerSite),
      '--seed',
      String(d.seed ?? 1),
      '--interval',
      String(d.reportingIntervalS ?? 30),
    );
  }
  if (opts.store) args.push('--store', opts.store);
  if (opts.influx) args.push('--influx-url', opts.influx.url, '--influx-db', opts.influx.db);
  if (opts.url) args.push('--url', opts.url);
  if (opts.db) args.push('--db', opts.db);
  const child = fork(fileURLToPath(new URL('./sut.ts', import.meta.url)), args, {
    cwd: REPO_ROOT,
    // BENCH_SUT_NODE_ARGS: extra node flags for the system under test, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    // --expose-gc: the footprint scenario asks for the live heap after a full collection ('heap')
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_SUT_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)],
    env: { ...process.env, CAMPUS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  track(child);
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ready!: (port: number) => void;
  const readyP = new Promise<number>((resolve) => (ready = resolve));
  child.on('message', (m: SutMessage) => {
    if (m.type === 'ready') ready(m.port);
    else if (m.type === 'reply') {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(`sut ${opts.mode}: ${m.error}`));
      else w?.resolve(m.result);
    }
  });
  void exited.then((code) => {
    for (const w of waiting.values()) w.reject(new Error(`the ${opts.mode} process exited (code ${code}):\n${out}`));
    waiting.clear();
  });
  const port = await Promise.race([
    readyP,
    exited.then((code) => Promise.reject(new Error(`the ${opts.mode} process exited (code ${code}) before it was ready:\n${out}`))),
  ]);
  const call = <T>(cmd: SutRequest['cmd']): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`the ${opts.mode} process is gone:\n${out}`));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, cmd } satisfies SutRequest);
    });
  return {
    pid: child.pid!,
    port,
    mark: () => call<number>('mark'),
    counts: () => call('counts'),
    report: () => call<SutReport>('report'),
    heap: () => call<number>('heap'),
    async stop(hard = false) {
      if (hard) return killAndWait(child, 'SIGKILL', 5000);
      if (child.connected) {
        await Promise.race([call('stop').catch(() => {}), new Promise((r) => setTimeout(r, 20_000).unref())]);
      }
      await killAndWait(child, 'SIGTERM', 10_000);
    },
    output: () => out,
  };
}

export interface Mosquitto {
  pid: number;
  port: number;
  url: string;
  stop(hard?: boolean): Promise<void>;
}

/**
 * Debian's mosquitto on a free port of 127.0.0.1 with its own config in a temp dir: anonymous
 * access (the load's device logins are accepted as they are), no persistence, and no limit on a
 * subscriber's queue (the default 1000 would silently drop QoS 1 messages for a slow subscriber).
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = tempDir('campus-bench-mosquitto-');
  const port = await freePort();
  const conf = join(dir.path, 'mosquitto.conf');
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
log_dest stderr
log_type error
log_type warning
`,
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let out = '';
  child.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-4000)));
  try {
    await waitFor(
      `mosquitto on port ${port}`,
      () => {
        if (child.exitCode !== null) throw new WaitAborted(`mosquitto exited with ${child.exitCode}: ${out}`);
        return new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
        });
      },
      { timeoutMs: 10_000, everyMs: 20 },
    );
  } catch (err) {
    await killAndWait(child, 'SIGKILL', 1000);
    dir.remove();
    throw err;
  }
  return {
    pid: child.pid!,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop(hard = false) {
      await killAndWait(child, hard ? 'SIGKILL' : 'SIGTERM', 5000);
      dir.remove();
    },
  };
}

export type SystemKind = 'ours-sqlite' | 'ours-influx' | 'aedes' | 'naive';

/** One system under load: where devices connect, the processes to measure, its counters. */
export interface RunningSystem {
  kind: SystemKind;
  url: string;
  /** the simulator key the devices' passwords derive from */
  simKey: string;
  /** every process of the system (not the load generator) */
  pids: number[];
  /** what ran where, for the detail line */
  where: string;
  sut: SutProcess;
  /** stops every process and removes the temp dir; `hard`: SIGKILL, nothing to keep */
  stop(hard?: boolean): Promise<void>;
}

export async function startSystem(kind: SystemKind, district: District, influx?: { url: string; db: string }): Promise<RunningSystem> {
  const dir = tempDir(`campus-bench-${kind}-`);
  try {
    if (kind === 'naive') {
      const mosquitto = await startMosquitto();
      let sut: SutProcess;
      try {
        sut = await startSut({ mode: 'naive', url: mosquitto.url, db: join(dir.path, 'naive.db') });
      } catch (err) {
        await mosquitto.stop();
        throw err;
      }
      return {
        kind,
        url: mosquitto.url,
        simKey: 'not-used-by-mosquitto-but-runLoad-derives-passwords-from-it',
        pids: [mosquitto.pid, sut.pid],
        where: `mosquitto 2.0.11 (pid ${mosquitto.pid}) + the naive subscriber (node, pid ${sut.pid})`,
        sut,
        async stop(hard = false) {
          await sut.stop(hard);
          await mosquitto.stop(hard);
          dir.remove();
        },
      };
    }
    // the key exists before the broker starts, so both sides derive the same device passwords
    const simKey = loadOrCreateKey(dir.path, 'sim');
    const sut = await startSut({
      mode: kind === 'aedes' ? 'aedes' : 'ours',
      dataDir: dir.path,
      district,
      store: kind === 'ours-influx' ? 'influx' : 'sqlite',
      influx: kind === 'ours-influx' ? influx : undefined,
    });
    return {
      kind,
      url: `mqtt://127.0.0.1:${sut.port}`,
      simKey,
      pids: [sut.pid],
      where:
        kind === 'aedes'
          ? `our broker + a plain QoS 1 subscriber (one node process, pid ${sut.pid})`
          : `broker + ingest (${kind === 'ours-influx' ? 'InfluxDB' : 'SQLite'}, detectors on) in one node process (pid ${sut.pid})${kind === 'ours-influx' ? ' + influxd' : ''}`,
      sut,
      async stop(hard = false) {
        await sut.stop(hard);
        dir.remove();
      },
    };
  } catch (err) {
    dir.remove();
    throw err;
  }
}
