/**
 * Load mode: every device of the given campuses is its own MQTT connection (its own login, as in
 * the field), all from this one process, publishing native telemetry at a chosen total rate.
 *
 * One scheduler, not a timer per device: every tick (100 ms) hands out the tokens earned since the
 * last tick, one message per token, round-robin over the devices. A device that still has
 * `maxInFlight` unacknowledged messages loses its turn (counted as `skipped`, never silently), so
 * `sent + skipped + skippedDisconnected` is what the schedule asked for.
 */
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { telemetryTopic } from '@campus/contract';
import { openFileLimit, simulatedDevicePassword } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { CampusSim } from './campus-sim.ts';

export interface LoadOptions {
  /** mqtt://host:port */
  url: string;
  campuses: readonly Campus[];
  /** the simulator key (CAMPUS_DATA_DIR/secrets/sim.key) the broker derives device passwords from */
  simKey: string;
  /** messages per second across all devices */
  ratePerSecond: number;
  qos: 0 | 1;
  /** how long to publish, from the moment every device has connected (or failed to) */
  durationMs: number;
  /** new connections per second; default 500 (no thundering herd of CONNECTs) */
  connectRatePerSecond?: number;
  /** unacknowledged messages a device may have; default 1 (a meter waits for its PUBACK) */
  maxInFlight?: number;
  /** after publishing, how long to wait for outstanding acknowledgements; default 15 s */
  drainTimeoutMs?: number;
  /** CONNACK timeout per device; default 30 s */
  connectTimeoutMs?: number;
  /** the CampusSim seed; default 1 */
  seed?: number;
  /** called about once a second */
  onProgress?: (p: LoadProgress) => void;
  /** stops connecting or publishing early; connections are still closed cleanly */
  signal?: AbortSignal;
}

export type LoadPhase = 'connecting' | 'publishing' | 'draining' | 'closing' | 'done';

/** The counters both the live progress and the final figures carry. */
export interface LoadCounters {
  connected: number;
  connectErrors: number;
  /** connections lost after they had connected */
  disconnects: number;
  sent: number;
  /** QoS 1: PUBACK received; QoS 0: written to the socket */
  acked: number;
  /** publishes that failed (their callback had an error) */
  errors: number;
  /** turns lost because the device still had maxInFlight unacknowledged messages */
  skipped: number;
}

export interface LoadProgress extends LoadCounters {
  phase: LoadPhase;
  /** since runLoad started, ms */
  elapsedMs: number;
  devices: number;
  inFlight: number;
  /** acknowledged messages per second over the last progress interval */
  msgPerSecond: number;
  rssMB: number;
}

export interface LoadFigures extends LoadCounters {
  url: string;
  sites: number;
  devices: number;
  qos: 0 | 1;
  targetRatePerSecond: number;
  /** from the first CONNECT to the last CONNACK (or failure), ms */
  connectMs: number;
  /** the publishing window actually run, ms */
  publishMs: number;
  /** turns of devices that were not connected */
  skippedDisconnected: number;
  /** still unacknowledged when the drain timed out */
  unacked: number;
  /** acknowledged per second over the publishing window (acknowledgements during the drain included) */
  achievedPerSecond: number;
  /** QoS 1 only: ms from publish to PUBACK */
  ackLatencyMs: { p50: number; p99: number; max: number } | null;
  /** resident memory: before connecting, with every client connected, and the peak */
  rssMB: { baseline: number; connected: number; peak: number };
  /** (connected RSS - baseline) per connected device, KiB */
  rssPerDeviceKB: number;
  /** the first few distinct error messages, with counts */
  errorSamples: Record<string, number>;
}

/** the soft limit on open files of this process (runtime/src/knobs.ts; app/src/load-cli.ts reads it from here) */
export { openFileLimit };

/** File descriptors that are not device sockets (stdio, the event loop, modules, a log file): a margin. */
export const FD_MARGIN = 128;

const STATE_PENDING = 0;
const STATE_CONNECTED = 1;
const STATE_FAILED = 2;
const STATE_CLOSED = 3;

interface Device {
  siteId: string;
  deviceId: string;
  topic: string;
  sim: CampusSim;
  client?: MqttClient;
  state: number;
  inFlight: number;
  lastTs: number;
}

/**
 * Exact enough percentiles in bounded memory: 0.05 ms buckets up to 1 s, 10 ms buckets up to 60 s.
 * An hour at 10,000 msg/s costs the same 100 KiB as a second.
 */
class LatencyHistogram {
  private readonly fine = new Uint32Array(20_000);
  private readonly coarse = new Uint32Array(5_900);
  private count = 0;
  private maxMs = 0;

  add(ms: number): void {
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
    if (ms < 1000) this.fine[Math.floor(ms * 20)]!++;
    else this.coarse[Math.min(this.coarse.length - 1, Math.floor((ms - 1000) / 10))]!++;
  }

  /** The upper edge of the bucket holding the q-quantile. */
  quantile(q: number): number {
    if (!this.count) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.fine.length; i++) if ((seen += this.fine[i]!) >= rank) return Math.min(this.maxMs, (i + 1) / 20);
    for (let i = 0; i < this.coarse.length; i++) if ((seen += this.coarse[i]!) >= rank) return Math.min(this.maxMs, 1000 + (i + 1) * 10);
    return this.maxMs;
  }

  get size(): number {
    return this.count;
  }

  get max(): number {
    return this.maxMs;
  }
}

const rssMB = () => process.memoryUsage.rss() / 1048576;
const TICK_MS = 100;
const PROGRESS_MS = 1000;

export async function runLoad(opts: LoadOptions): Promise<LoadFigures> {
  const started = performance.now();
  const connectRate = opts.connectRatePerSecond ?? 500;
  const maxInFlight = opts.maxInFlight ?? 1;
  if (!(opts.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, not ${opts.ratePerSecond}`);
  if (!(connectRate > 0)) throw new RangeError(`connectRatePerSecond must be > 0, not ${connectRate}`);
  if (opts.qos !== 0 && opts.qos !== 1) throw new RangeError(`qos must be 0 or 1, not ${String(opts.qos)}`);

  const devices: Device[] = [];
  for (const campus of opts.campuses) {
    const sim = new CampusSim(campus, opts.seed ?? 1);
    for (const d of campus.devices) {
      devices.push({ siteId: campus.site.id, deviceId: d.id, topic: telemetryTopic(campus.site.id, d.id), sim, state: STATE_PENDING, inFlight: 0, lastTs: 0 });
    }
  }
  if (!devices.length) throw new RangeError('no devices to simulate');
  const limit = openFileLimit();
  if (limit !== undefined && devices.length + FD_MARGIN > limit) {
    throw new Error(
      `${devices.length} devices need ${devices.length + FD_MARGIN} open files in this process, but its limit is ${limit}: ` +
        `raise it (ulimit -n ${devices.length * 2 + 2 * FD_MARGIN}) or simulate fewer devices`,
    );
  }

  const errorSamples: Record<string, number> = {};
  const noteError = (message: string) => {
    const key = message.slice(0, 120);
    if (key in errorSamples || Object.keys(errorSamples).length < 8) errorSamples[key] = (errorSamples[key] ?? 0) + 1;
  };
  const latency = new LatencyHistogram();
  let phase: LoadPhase = 'connecting';
  let connected = 0;
  let connectErrors = 0;
  let disconnects = 0;
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let skipped = 0;
  let skippedDisconnected = 0;
  let inFlight = 0;
  /** devices whose connection attempt has ended (connected or failed) */
  let resolved = 0;
  let peakRss = rssMB();
  const baselineRss = peakRss;
  const aborted = () => opts.signal?.aborted === true;

  // progress, once a second, whatever the phase
  let lastAcked = 0;
  let lastProgressAt = performance.now();
  const progress = (): LoadProgress => {
    const now = performance.now();
    const rss = rssMB();
    peakRss = Math.max(peakRss, rss);
    const p: LoadProgress = {
      phase,
      elapsedMs: now - started,
      devices: devices.length,
      connected,
      connectErrors,
      disconnects,
      sent,
      acked,
      errors,
      skipped,
      inFlight,
      msgPerSecond: now > lastProgressAt ? ((acked - lastAcked) * 1000) / (now - lastProgressAt) : 0,
      rssMB: rss,
    };
    lastAcked = acked;
    lastProgressAt = now;
    return p;
  };
  const progressTimer = setInterval(() => {
    const p = progress();
    opts.onProgress?.(p);
  }, PROGRESS_MS);

  // wakes the phase loops when something they wait on changes
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const until = async (done: () => boolean, timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> => {
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return true;
  };
  opts.signal?.addEventListener('abort', poke, { once: true });

  const connect = (d: Device) => {
    const client = mqtt.connect(opts.url, {
      clientId: d.deviceId,
      username: d.deviceId,
      password: simulatedDevicePassword(opts.simKey, d.siteId, d.deviceId),
      clean: true,
      protocolVersion: 4,
      keepalive: 60,
      // a lost device stays lost: the figures count it instead of hiding it behind a reconnect
      reconnectPeriod: 0,
      connectTimeout: opts.connectTimeoutMs ?? 30_000,
      // nothing is queued while offline, nothing to resubscribe (devices never subscribe)
      queueQoSZero: false,
      resubscribe: false,
    });
    d.client = client;
    client.on('connect', () => {
      if (d.state !== STATE_PENDING) return;
      d.state = STATE_CONNECTED;
      connected++;
      resolved++;
      poke();
    });
    client.on('error', (err) => noteError(err.message));
    client.on('close', () => {
      if (d.state === STATE_PENDING) {
        d.state = STATE_FAILED;
        connectErrors++;
        resolved++;
        poke();
      } else if (d.state === STATE_CONNECTED) {
        d.state = STATE_CLOSED;
        connected--;
        if (phase !== 'closing') {
          disconnects++;
          noteError(`${d.deviceId} disconnected during the run`);
        }
      }
    });
  };

  // 1. connect, at connectRate
  const connectStart = performance.now();
  let next = 0;
  while (next < devices.length && !aborted()) {
    const due = Math.min(devices.length, Math.floor(((performance.now() - connectStart) / 1000) * connectRate) + 1);
    while (next < due) connect(devices[next++]!);
    await new Promise((r) => setTimeout(r, 10));
  }
  const settled = () => aborted() || resolved >= next;
  await until(settled);
  const connectMs = performance.now() - connectStart;
  const connectedRss = rssMB();
  peakRss = Math.max(peakRss, connectedRss);

  // 2. publish: a token bucket, one tick every 100 ms, round-robin over the devices
  phase = 'publishing';
  const publishStart = performance.now();
  let credit = 0;
  let cursor = 0;
  let lastTick = publishStart;
  const send = (d: Device) => {
    const now = Date.now();
    // one device's readings must move forward in time (and a reading's identity is device + ts)
    const ts = Math.max(now, d.lastTs + 1);
    d.lastTs = ts;
    const r = d.sim.reading(d.deviceId, ts);
    const body = JSON.stringify({ ts: r.ts, seq: r.seq, ...r.values });
    const t0 = performance.now();
    d.inFlight++;
    inFlight++;
    sent++;
    d.client!.publish(d.topic, body, { qos: opts.qos }, (err) => {
      d.inFlight--;
      inFlight--;
      if (err) {
        errors++;
        noteError(err.message);
      } else {
        acked++;
        if (opts.qos === 1) latency.add(performance.now() - t0);
      }
      if (phase === 'draining' && inFlight === 0) poke();
    });
  };
  const tick = () => {
    const now = performance.now();
    // tokens earned since the last tick (a late timer does not lose rate); at most a second's worth
    credit = Math.min(credit + ((now - lastTick) / 1000) * opts.ratePerSecond, opts.ratePerSecond);
    lastTick = now;
    let n = Math.floor(credit);
    credit -= n;
    while (n-- > 0) {
      const d = devices[cursor]!;
      cursor = (cursor + 1) % devices.length;
      if (d.state !== STATE_CONNECTED) skippedDisconnected++;
      else if (d.inFlight >= maxInFlight) skipped++;
      else send(d);
    }
  };
  const ticker = setInterval(tick, TICK_MS);
  await until(() => aborted() || performance.now() - publishStart >= opts.durationMs, opts.durationMs);
  clearInterval(ticker);
  if (!aborted()) tick(); // the tokens of the last partial tick
  const publishMs = performance.now() - publishStart;

  // 3. wait for the outstanding acknowledgements
  phase = 'draining';
  await until(() => inFlight === 0 || connected === 0, opts.drainTimeoutMs ?? 15_000);
  const unacked = inFlight;
  const ackedAtEnd = acked;

  // 4. close every connection cleanly (DISCONNECT), forcing those that do not finish in 10 s
  phase = 'closing';
  const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
    Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
  await Promise.all(
    devices.map(async (d) => {
      const client = d.client;
      if (!client) return;
      if (d.state === STATE_CONNECTED) {
        const clean = await within(
          client.endAsync(false).then(
            () => true,
            () => false,
          ),
          10_000,
        );
        if (clean !== true)
          await within(
            client.endAsync(true).catch(() => {}),
            2000,
          );
      } else client.end(true); // its socket is already gone: only timers to clear
      client.removeAllListeners();
      client.on('error', () => {});
    }),
  );
  phase = 'done';
  clearInterval(progressTimer);
  opts.signal?.removeEventListener('abort', poke);
  peakRss = Math.max(peakRss, rssMB());

  const connectedDevices = devices.filter((d) => d.state !== STATE_PENDING && d.state !== STATE_FAILED).length;
  return {
    url: opts.url,
    sites: opts.campuses.length,
    devices: devices.length,
    qos: opts.qos,
    targetRatePerSecond: opts.ratePerSecond,
    connectMs,
    publishMs,
    connected: connectedDevices,
    connectErrors,
    disconnects,
    sent,
    acked: ackedAtEnd,
    errors,
    skipped,
    skippedDisconnected,
    unacked,
    achievedPerSecond: publishMs > 0 ? (ackedAtEnd * 1000) / publishMs : 0,
    ackLatencyMs: opts.qos === 1 && latency.size ? { p50: latency.quantile(0.5), p99: latency.quantile(0.99), max: latency.max } : null,
    rssMB: { baseline: baselineRss, connected: connectedRss, peak: peakRss },
    rssPerDeviceKB: connectedDevices ? ((connectedRss - baselineRss) * 1024) / connectedDevices : 0,
    errorSamples,
  };
}
