/**
 * Fuzzing the broker: random and mutated MQTT packets (testkit/src/mqtt-fuzz.ts) thrown at the
 * broker running as its own process (`node --import tsx app/src/main.ts broker`, as `npm run
 * start:broker` runs it), so a crash shows as an exit and its memory can be read from /proc.
 *
 * Cases go out BATCH at a time, each on its own connection (a case holds one to sixteen packets).
 * After every batch:
 * - the process is still running;
 * - a well-behaved device connects with mqtt.js, publishes QoS 1 telemetry and gets its PUBACK;
 * - a service subscriber (ingest's login, subscribed to every device topic) that stays connected
 *   for the whole run receives that reading: one device's packets must not cut off ingest.
 * Cases that MQTT 3.1.1 or the broker's limits decide (a packet before CONNECT, QoS 3, a topic of
 * invalid UTF-8, ...) also check the broker's answer. The broker's JS heap is capped (a heap leak
 * ends the process), and at the end its resident memory must be within RSS_MARGIN_MB of what it
 * was after the warm-up.
 *
 * Every run prints its seed; FUZZ_SEED=<n> replays a run, FUZZ_CASES=<i,j,...> only those cases
 * of it, FUZZ_SECONDS=<s> sets the time spent throwing cases (default 20).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { externalLogin, externalPublishFilters, externalSubscribeFilters, statusTopic, telemetryTopic } from '@campus/contract';
import { loadOrCreateKey, secretsDir, SERVICE_USERS, simulatedDevicePassword, writeFileAtomic } from '@campus/runtime';
import { externalSources, type Campus } from '@campus/site';
import {
  campusFileWith,
  caseBytes,
  fuzzCase,
  FUZZ_STRATEGIES,
  frame,
  hexOf,
  rawConnect,
  rawMqtt,
  runFuzzCase,
  startPart,
  tempDir,
  type FuzzCase,
  type FuzzLogin,
  type FuzzOutcome,
  type FuzzStrategy,
  type RunningPart,
} from '@campus/testkit';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const ONLY = process.env.FUZZ_CASES ? process.env.FUZZ_CASES.split(',').map(Number) : undefined;
/** cases in flight at once (each on its own connection), then a check */
const BATCH = 4;
/** fuzzing before the memory baseline is taken: JIT, heap and socket buffers settle */
const WARMUP_MS = 3000;
/**
 * The broker runs with V8's old space capped at BROKER_HEAP_MB. It needs under 32 MiB (it ran 120 s
 * of fuzzing within that cap), and with a cap V8 collects before it grows the heap: a leak on the
 * JS heap ends as "JavaScript heap out of memory", an exit the test reports, instead of hiding in
 * the heap's lazy growth, and RSS stays flat (measured: at most 8 MiB above the warm-up baseline
 * over 90 s, against up to 61 MiB of GC slack without the cap).
 */
const BROKER_HEAP_MB = 64;
/**
 * Resident memory allowed above the warm-up baseline, for what the heap cap does not bound: memory
 * outside the heap, Buffers, which is what a broker leaks when it keeps packet bytes. What it may
 * legitimately hold for the fuzzer is under 1 MiB (BATCH connections of at most one 64 KiB packet
 * each, their socket buffers, a few persistent sessions and wills of the dozen logins), plus the
 * 8 MiB of noise measured: 32 MiB is four times that, and is what a broker keeping 16 KiB of every
 * packet reaches in a few seconds of fuzzing (tried: it fails within the default 20 s).
 */
const RSS_MARGIN_MB = 32;
/** the longest a check (connect, PUBACK, delivery to the subscriber) may take on a loaded machine */
const CHECK_MS = 10_000;
const MAX_PACKET_BYTES = 64 * 1024;

/** The identities the fuzzer logs in as: native devices and the demo's off-the-shelf logins. */
function fuzzLogins(campus: Campus, simKey: string): { logins: FuzzLogin[]; checker: FuzzLogin } {
  const siteId = campus.site.id;
  const native = campus.devices.filter((d) => !externalSources(d).length);
  const device = (id: string): FuzzLogin => ({
    clientId: id,
    username: id,
    password: simulatedDevicePassword(simKey, siteId, id),
    publish: [telemetryTopic(siteId, id), statusTopic(siteId, id)],
    subscribe: [],
    will: [statusTopic(siteId, id)],
  });
  const externals = new Map<string, FuzzLogin>();
  for (const d of campus.devices) {
    for (const source of externalSources(d)) {
      const { username, id } = externalLogin(source, siteId);
      if (externals.has(username)) continue;
      const filters = externalPublishFilters(source.format, id);
      const under = filters.filter((f) => f.endsWith('/#')).map((f) => f.slice(0, -1));
      externals.set(username, {
        clientId: username,
        username,
        password: simulatedDevicePassword(simKey, siteId, username),
        publish: under.flatMap((p) => [`${p}SENSOR`, `${p}status/em:0`, `${p}温度`]),
        subscribe: externalSubscribeFilters(source.format, id),
        will: under.map((p) => `${p}availability`),
      });
    }
  }
  // concurrent cases must log in as different identities (fuzzCase): at least two per case of a batch
  if (native.length < 5 || externals.size + 4 < 2 * BATCH) throw new Error('the demo campus has too few devices to fuzz with');
  return { logins: [...native.slice(0, 4).map((d) => device(d.id)), ...externals.values()], checker: device(native.at(-1)!.id) };
}

function rssMb(pid: number): number | undefined {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return undefined;
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} in ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (err: unknown) => (clearTimeout(timer), reject(err instanceof Error ? err : new Error(String(err)))),
    );
  });

const describeCase = (c: FuzzCase, o?: FuzzOutcome) =>
  [
    `  #${c.index} ${c.strategy}: ${c.note}${c.login ? ` (after logging in as ${c.login.username})` : ''}${c.expect ? `, expects ${c.expect}` : ''}`,
    ...(o ? [`    outcome: ${o.violation ?? (o.closed ? 'closed by the broker' : 'left open')}; received ${o.received.join(', ') || 'nothing'}`] : []),
    ...(c.connect ? [`    login: ${hexOf(c.connect, 300)}`] : []),
    `    bytes: ${hexOf(caseBytes(c), 300)}`,
  ].join('\n');

describe('broker fuzzing (random and mutated MQTT packets)', () => {
  const dir = tempDir('campus-fuzz-');
  const dataDir = join(dir.path, 'data');
  let part: RunningPart;
  let port: number;
  let logins: FuzzLogin[];
  let checker: FuzzLogin;
  let siteId: string;

  beforeAll(async () => {
    console.log(`broker fuzzing: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const { file, campus } = campusFileWith(dir.path);
    // the simulator key, derived from the seed, so a replay sends the very same bytes (passwords included)
    const simKey = createHash('sha256').update(`campus fuzz ${SEED}`).digest('base64url');
    writeFileAtomic(join(secretsDir(dataDir), 'sim.key'), `${simKey}\n`);
    ({ logins, checker } = fuzzLogins(campus, simKey));
    siteId = campus.site.id;
    part = await startPart(
      'app/src/main.ts',
      { CAMPUS_PARTS: 'broker',
        CAMPUS_DATA_DIR: dataDir,
        CAMPUS_CONFIG: file,
        CAMPUS_SIM: 'on',
        CAMPUS_MQTT_HOST: '127.0.0.1',
        CAMPUS_MQTT_PORT: '0',
        CAMPUS_MQTT_MAX_PACKET_KB: String(MAX_PACKET_BYTES / 1024),
        // thousands of connections a minute from 127.0.0.1, many with broken logins: not a ban
        CAMPUS_MQTT_TRUST_LOOPBACK: 'on',
        CAMPUS_LOG_LEVEL: 'info',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${BROKER_HEAP_MB}`.trim(),
      },
      /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/,
      120_000,
    );
    port = Number(part.ready[0]);
  });
  afterAll(async () => {
    await part?.stop();
    dir.remove();
  });

  it('closes the connection on what the fuzzer found aedes acting on: a will of QoS 3, SUBSCRIBE and UNSUBSCRIBE without filters', async () => {
    const url = `mqtt://127.0.0.1:${port}`;
    const watcher = await mqtt.connectAsync(url, {
      clientId: 'fuzz-regression-watcher',
      username: SERVICE_USERS.ingest,
      password: loadOrCreateKey(dataDir, 'ingest'),
      reconnectPeriod: 0,
    });
    let cut = false;
    watcher.on('close', () => (cut = true));
    await watcher.subscribeAsync(`campus/${siteId}/#`, { qos: 1 });
    const device = logins[0]!;
    // seed 1500742637, case 72: aedes took the will, published it at QoS 3 when the device dropped,
    // could not write it, and cut off every QoS 1 subscriber it reached (a retained one: every later one)
    for (const retain of [false, true]) {
      const raw = await rawMqtt(port);
      raw.send(
        rawConnect({
          clientId: device.clientId,
          username: device.username,
          password: device.password,
          will: { topic: device.will[0]!, payload: '{"status":"offline"}', qos: 3, retain },
        }),
      );
      await withTimeout(raw.closed, CHECK_MS, 'close');
      expect(raw.received).toEqual([]);
    }
    // [MQTT-3.8.3-3], [MQTT-3.10.3-2]: aedes answered an UNSUBSCRIBE without filters with UNSUBACK
    for (const bytes of [frame(0x82, Buffer.from([0, 1])), frame(0xa2, Buffer.from([0, 1]))]) {
      const raw = await rawMqtt(port);
      raw.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 60,
        clientId: device.clientId,
        username: device.username,
        password: device.password,
      } as never);
      expect(await raw.connack()).toBe(0);
      raw.send(bytes);
      await withTimeout(raw.closed, CHECK_MS, 'close');
      expect(raw.received.map((p) => p.cmd)).toEqual([]);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(cut, 'the service subscriber must stay connected').toBe(false);
    await watcher.endAsync();
  });

  it(
    `survives ${ONLY ? `cases ${ONLY.join(', ')}` : `${SECONDS} s`} of random and mutated packets, answers well-behaved clients after every batch, and keeps its memory bounded`,
    async () => {
      const pid = part.child.pid!;
      const url = `mqtt://127.0.0.1:${port}`;
      const replay = (indexes: number[]) => `FUZZ_SEED=${SEED} FUZZ_CASES=${indexes.join(',')} npx vitest run broker/test/fuzz.test.ts`;
      // the end of the broker's log, long lines (a 30 KB username) cut
      const output = () =>
        part
          .output()
          .split('\n')
          .slice(-30)
          .map((l) => (l.length > 400 ? `${l.slice(0, 400)}… (${l.length} characters)` : l))
          .join('\n');

      // ingest's login, subscribed to everything devices publish; it must stay connected throughout
      const seen = new Set<string>();
      let watcherGone: string | undefined;
      let ending = false;
      const watcher = await mqtt.connectAsync(url, {
        clientId: 'fuzz-watcher',
        username: SERVICE_USERS.ingest,
        password: loadOrCreateKey(dataDir, 'ingest'),
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: CHECK_MS,
      });
      watcher.on('error', (err) => (watcherGone ??= `error: ${err.message}`));
      watcher.on('close', () => {
        if (!ending) watcherGone ??= 'the broker closed its connection';
      });
      const checkTopic = telemetryTopic(siteId, checker.clientId);
      watcher.on('message', (topic, payload) => {
        if (topic !== checkTopic) return;
        try {
          seen.add((JSON.parse(payload.toString()) as { marker: string }).marker);
        } catch {
          // a fuzzed payload on another topic would not get here
        }
      });
      const granted = await watcher.subscribeAsync(
        ['campus/#', 'tele/#', 'stat/#', 'zigbee2mqtt/#', 'wmbusmeters/#', '+/online', '+/status/+', '+/events/rpc'],
        { qos: 1 },
      );
      expect(granted.every((g) => g.qos === 1)).toBe(true);

      /** a well-behaved device connects, publishes QoS 1, is acknowledged, and the watcher receives it; undefined when all went well */
      let checks = 0;
      const latencies: number[] = [];
      const check = async (): Promise<string | undefined> => {
        const marker = `check-${++checks}`;
        const started = Date.now();
        const client = mqtt.connect(url, {
          clientId: checker.clientId,
          username: checker.username,
          password: checker.password,
          reconnectPeriod: 0,
          connectTimeout: CHECK_MS,
        });
        client.on('error', () => {});
        try {
          await withTimeout(
            new Promise<void>((resolve, reject) => {
              client.once('connect', () => resolve());
              client.once('close', () => reject(new Error('connection closed before CONNACK')));
            }),
            CHECK_MS,
            'CONNACK',
          );
          const reading = JSON.stringify({ ts: Date.now(), seq: checks, values: { kwh: checks }, marker });
          await withTimeout(client.publishAsync(checkTopic, reading, { qos: 1 }), CHECK_MS, 'PUBACK');
          await withTimeout(
            (async () => {
              while (!seen.has(marker) && !watcherGone) await new Promise((r) => setTimeout(r, 5));
            })(),
            CHECK_MS,
            'delivery to the service subscriber',
          );
          if (!seen.has(marker)) return `the service subscriber did not receive the reading (${watcherGone})`;
          latencies.push(Date.now() - started);
          return undefined;
        } catch (err) {
          return `a well-behaved device could not publish: ${(err as Error).message}`;
        } finally {
          client.end(true);
        }
      };
      /** what went wrong with the broker as a whole after a batch, if anything */
      const health = async (outcomes: FuzzOutcome[]): Promise<string | undefined> => {
        if (part.child.exitCode !== null || part.child.signalCode !== null)
          return `the broker exited (code ${part.child.exitCode}, signal ${part.child.signalCode})`;
        const refused = outcomes.find((o) => o.error);
        if (refused) return `a fuzz connection could not be opened: ${refused.error}`;
        if (watcherGone) return `the service subscriber was cut off: ${watcherGone}`;
        const failed = await check();
        if (failed) return part.child.exitCode !== null ? `the broker exited (code ${part.child.exitCode})` : failed;
        if (watcherGone) return `the service subscriber was cut off: ${watcherGone}`;
        return undefined;
      };

      expect(await check()).toBeUndefined();

      const stats = new Map<FuzzStrategy, { cases: number; packets: number; closed: number; expected: number }>(
        FUZZ_STRATEGIES.map((s) => [s, { cases: 0, packets: 0, closed: 0, expected: 0 }]),
      );
      const violations: { c: FuzzCase; o: FuzzOutcome }[] = [];
      const rss: number[] = [];
      /** RSS every 5 s, MiB */
      const timeline: string[] = [];
      let baseline: number | undefined;
      const pending = ONLY ? [...ONLY] : undefined;
      const fuzzStarted = Date.now();
      let next = 0;
      let batches = 0;
      for (;;) {
        let indexes: number[];
        if (pending) {
          if (!pending.length) break;
          indexes = [pending.shift()!];
        } else {
          if (Date.now() - fuzzStarted > SECONDS * 1000) break;
          indexes = Array.from({ length: BATCH }, () => next++);
        }
        const batch = indexes.map((i) => fuzzCase(SEED, i, logins, { maxPacketBytes: MAX_PACKET_BYTES }));
        const outcomes = await Promise.all(batch.map((c) => runFuzzCase(port, c)));
        batches++;
        batch.forEach((c, i) => {
          const o = outcomes[i]!;
          const s = stats.get(c.strategy)!;
          s.cases++;
          s.packets += c.packets;
          if (o.closed) s.closed++;
          if (c.expect && !o.unchecked) s.expected++;
          if (o.violation) violations.push({ c, o });
        });
        const problem = await health(outcomes);
        if (problem) {
          throw new Error(
            [
              `broker fuzzing, seed ${SEED}: ${problem}, after this batch of cases (replay: ${replay(indexes)}):`,
              ...batch.map((c, i) => describeCase(c, outcomes[i])),
              `--- broker output (end) ---\n${output()}`,
            ].join('\n'),
          );
        }
        const now = rssMb(pid);
        if (now !== undefined) {
          if (baseline === undefined && (pending || Date.now() - fuzzStarted > WARMUP_MS)) baseline = now;
          if (baseline !== undefined) rss.push(now);
          if (Date.now() - fuzzStarted >= timeline.length * 5000) timeline.push(`${((Date.now() - fuzzStarted) / 1000).toFixed(0)} s ${now.toFixed(0)}`);
        }
      }
      const fuzzMs = Date.now() - fuzzStarted;
      ending = true;
      await watcher.endAsync();

      const table = [...stats]
        .filter(([, s]) => s.cases)
        .map(
          ([name, s]) =>
            `  ${name.padEnd(17)} ${String(s.cases).padStart(6)} cases ${String(s.packets).padStart(6)} packets ${String(s.closed).padStart(6)} closed by the broker ${String(s.expected).padStart(6)} expectations checked`,
        );
      const total = [...stats.values()].reduce((a, s) => ({ cases: a.cases + s.cases, packets: a.packets + s.packets }), { cases: 0, packets: 0 });
      const sorted = [...latencies].sort((a, b) => a - b);
      const maxRss = rss.length ? Math.max(...rss) : undefined;
      console.log(
        [
          `broker fuzzing, seed ${SEED}: ${total.cases} cases (${total.packets} packets) in ${(fuzzMs / 1000).toFixed(1)} s, ${batches} batches, ${checks} checks`,
          ...table,
          `  check latency: median ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, max ${sorted.at(-1) ?? '-'} ms`,
          `  broker RSS: ${baseline?.toFixed(1) ?? '-'} MiB after warm-up, max ${maxRss?.toFixed(1) ?? '-'} MiB, end ${rss.at(-1)?.toFixed(1) ?? '-'} MiB (allowed: baseline + ${RSS_MARGIN_MB} MiB); every 5 s: ${timeline.join(', ')}`,
        ].join('\n'),
      );

      expect(part.child.exitCode, 'the broker process must still run').toBeNull();
      if (violations.length) {
        throw new Error(
          [
            `broker fuzzing, seed ${SEED}: ${violations.length} case(s) where the broker did not do what MQTT 3.1.1 or its limits require (replay: ${replay(violations.map((v) => v.c.index).slice(0, 20))}):`,
            ...violations.slice(0, 20).map((v) => describeCase(v.c, v.o)),
          ].join('\n'),
        );
      }
      if (baseline !== undefined && maxRss !== undefined) {
        expect(maxRss, `broker RSS grew from ${baseline.toFixed(1)} MiB after warm-up to ${maxRss.toFixed(1)} MiB (seed ${SEED})`).toBeLessThan(
          baseline + RSS_MARGIN_MB,
        );
      }
    },
    SECONDS * 1000 + 90_000,
  );
});
