/**
 * The distributed topology of deploy/ on this machine, every part its own process on loopback:
 * Redis (Debian's redis-server), two broker nodes sharing it (CAMPUS_MQTT_CLUSTER=redis), InfluxDB,
 * two ingest workers over two sites (CAMPUS_INGEST_ASSIGNMENT), and one site's dashboard. Devices
 * of both sites are spread over both broker nodes and keep publishing while
 *   1. broker node A is killed (SIGKILL): its devices and the ingest worker on it reconnect to B;
 *   2. ingest worker 2 is killed (SIGKILL): worker 1 takes over its site.
 * Every reading a broker acknowledged must be in InfluxDB, each once, with its own value.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { writeDistrict } from '@campus/device-sim';
import { loadOrCreateKey, simulatedDevicePassword } from '@campus/runtime';
import { loadCampus, type Campus } from '@campus/site';
import { apiClient, startInfluxd, startPart, startRedis, tempDir, waitFor, type Influxd, type RedisServer, type RunningPart } from '@campus/testkit';

const dir = tempDir('campus-district-');
const brokerDir = join(dir.path, 'broker');
const ingestDir = join(dir.path, 'ingest');
const parts: RunningPart[] = [];
let redis: RedisServer;
let influx: Influxd;
const DB = 'district';

afterAll(async () => {
  for (const p of parts.reverse()) await p.stop('SIGKILL');
  await influx?.remove();
  await redis?.remove();
  dir.remove();
});

interface Meter {
  campus: Campus;
  id: string;
  /** seqs the broker acknowledged */
  acked: Set<number>;
  client?: MqttClient;
}

const BASE_TS = Date.UTC(2026, 10, 2, 0, 0, 0);
const tsOf = (seq: number) => BASE_TS + seq * 60_000;

async function influxTimes(measurement: string, device: string): Promise<Map<number, number>> {
  const q = `SELECT "totalKWh" FROM "${measurement}" WHERE "device" = '${device}'`;
  const res = await fetch(`${influx.url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: [number, number][] }[] }[] };
  const out = new Map<number, number>();
  for (const [t, v] of body.results[0]?.series?.[0]?.values ?? []) out.set(t, (out.get(t) ?? 0) + (v === undefined ? 0 : 1));
  return out;
}

describe('the district topology: two broker nodes, two ingest workers, two sites', () => {
  let sites: Campus[];
  let files: string[];
  const nodes: { url: string; part: RunningPart }[] = [];
  const workers: Record<string, RunningPart> = {};

  beforeAll(async () => {
    [redis, influx] = await Promise.all([startRedis(), startInfluxd()]);
    files = writeDistrict(join(dir.path, 'sites'), { sites: 2, devicesPerSite: 12, reportingIntervalS: 60 });
    sites = files.map((f) => loadCampus(f));
    const [s1, s2] = sites.map((s) => s.site.id) as [string, string];
    const assignment = join(dir.path, 'sites', 'assignment.yaml');
    writeFileSync(assignment, `sites:\n  - { id: ${s1}, campus: ${s1}.yaml, workers: [w1, w2] }\n  - { id: ${s2}, campus: ${s2}.yaml, workers: [w2, w1] }\n`);

    const cluster = { CAMPUS_MQTT_CLUSTER: 'redis', CAMPUS_REDIS_URL: redis.url, CAMPUS_CONFIG: files.join(','), CAMPUS_SIM: 'on', CAMPUS_MQTT_PORT: '0' };
    for (let i = 0; i < 2; i++) {
      // the nodes share the logins; a deployment copies CAMPUS_DATA_DIR/secrets and credentials.json to each
      const part = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'broker', ...cluster, CAMPUS_DATA_DIR: brokerDir }, /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/);
      parts.push(part);
      nodes.push({ url: `mqtt://127.0.0.1:${part.ready[0]}`, part });
    }
    // the ingest host gets the service secret from the brokers
    mkdirSync(ingestDir, { recursive: true });
    cpSync(join(brokerDir, 'secrets'), join(ingestDir, 'secrets'), { recursive: true });
    const store = { CAMPUS_STORE: 'influx', CAMPUS_INFLUX_URL: influx.url, CAMPUS_INFLUX_DB: DB };
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    for (const [name, urls] of [
      ['w1', `${a.url},${b.url}`],
      ['w2', `${b.url},${a.url}`],
    ] as const) {
      const part = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'ingest', ...store, CAMPUS_DATA_DIR: ingestDir, CAMPUS_INGEST_ASSIGNMENT: assignment, CAMPUS_INGEST_WORKER: name, CAMPUS_MQTT_URL: urls },
        new RegExp(`ingest worker ${name} started`),
      );
      parts.push(part);
      workers[name] = part;
    }
    await waitFor(
      'each worker reading its own site',
      () => workers.w1!.output().includes(`reading site ${s1}`) && workers.w2!.output().includes(`reading site ${s2}`),
      {
        timeoutMs: 60_000,
      },
    );
  });

  it('stores every acknowledged reading exactly once through a broker node and an ingest worker killed', { timeout: 360_000 }, async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const simKey = loadOrCreateKey(brokerDir, 'sim');
    const meters: Meter[] = sites.flatMap((campus) =>
      campus.devices.filter((d) => d.kind === 'electric_meter').map((d) => ({ campus, id: d.id, acked: new Set<number>() })),
    );
    expect(meters.length).toBeGreaterThanOrEqual(4);
    // half the devices on each node; each lists the other node to fail over to
    await Promise.all(
      meters.map(async (m, i) => {
        const servers = (i % 2 === 0 ? [a, b] : [b, a]).map((n) => ({ host: '127.0.0.1', port: Number(new URL(n.url).port), protocol: 'mqtt' as const }));
        m.client = await mqtt.connectAsync({
          servers,
          clientId: m.id,
          username: m.id,
          password: simulatedDevicePassword(simKey, m.campus.site.id, m.id),
          clean: false,
          reconnectPeriod: 300,
          connectTimeout: 5000,
        });
        m.client.on('error', () => {});
      }),
    );
    let publishing = true;
    const senders = meters.map(async (m) => {
      let seq = 0;
      const inflight = new Set<Promise<void>>();
      while (publishing) {
        const s = ++seq;
        const p = m
          .client!.publishAsync(`campus/${m.campus.site.id}/${m.id}/telemetry`, JSON.stringify({ ts: tsOf(s), seq: s, totalKWh: 1000 + s }), { qos: 1 })
          .then(() => void m.acked.add(s))
          .catch(() => {}); // never acknowledged: not counted (mqtt.js resends it after a reconnect)
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        // a few in flight per device, about 25 readings a second each
        if (inflight.size >= 5) await Promise.race(inflight);
        await new Promise((r) => setTimeout(r, 40));
      }
      // what is still in flight gets its acknowledgement (or not) before the count
      await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 30_000))]);
    });
    const ackedTotal = () => meters.reduce((n, m) => n + m.acked.size, 0);

    await waitFor('readings flowing', () => ackedTotal() >= 300, { timeoutMs: 60_000 });
    // 1. broker node A dies: devices and worker 1 move to node B
    const beforeKill = ackedTotal();
    await a.part.stop('SIGKILL');
    await waitFor('devices acknowledged again after node A died', () => ackedTotal() >= beforeKill + 300, { timeoutMs: 60_000 });

    // 2. ingest worker 2 dies: worker 1 takes over its site
    const s2 = sites[1]!.site.id;
    const w1Before = workers.w1!.output().length;
    await workers.w2!.stop('SIGKILL');
    await waitFor(`worker 1 reading ${s2}`, () => workers.w1!.output().slice(w1Before).includes(`reading site ${s2}`), { timeoutMs: 60_000 });
    const afterTakeover = ackedTotal();
    await waitFor('devices acknowledged after the takeover', () => ackedTotal() >= afterTakeover + 300, { timeoutMs: 60_000 });

    publishing = false;
    await Promise.all(senders);
    await Promise.all(meters.map((m) => m.client!.endAsync()));

    // every acknowledged reading in InfluxDB, once, with its own value
    const missingBy = async () => {
      const out: string[] = [];
      let n = 0;
      for (const m of meters) {
        const stored = await influxTimes('electric_meter', m.id);
        const lost = [...m.acked].filter((s) => !stored.has(tsOf(s))).sort((x, y) => x - y);
        n += lost.length;
        if (lost.length)
          out.push(
            `${m.id} (${m.campus.site.id}, node ${meters.indexOf(m) % 2 === 0 ? 'A' : 'B'} first): ${lost.length} of ${m.acked.size}, seq ${lost[0]}..${lost.at(-1)}`,
          );
      }
      return { n, text: out.join('\n') };
    };
    const missing = async () => (await missingBy()).n;
    await waitFor('every acknowledged reading stored', async () => (await missing()) === 0, { timeoutMs: 60_000, everyMs: 2000 }).catch(async (err: Error) => {
      const m = await missingBy();
      if (process.env.DISTRICT_DUMP)
        for (const [n, p] of [...Object.entries(workers), ...nodes.map((x, i) => [`node${i}`, x.part] as const)])
          writeFileSync(`${process.env.DISTRICT_DUMP}-${n}.log`, p.output());
      throw new Error(`${err.message}: ${m.n} of ${ackedTotal()} missing\n${m.text}\n--- w1 ---\n${workers.w1!.output().slice(-3000)}`);
    });
    for (const m of meters) {
      const q = `SELECT "totalKWh" FROM "electric_meter" WHERE "device" = '${m.id}'`;
      const res = await fetch(`${influx.url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`);
      const rows = ((await res.json()) as { results: { series?: { values: [number, number][] }[] }[] }).results[0]?.series?.[0]?.values ?? [];
      const times = rows.map((r) => r[0]);
      // one point per reading: InfluxDB keys a point by its time, so a duplicate would have overwritten, not added;
      // what shows a duplicate is a value that is not the reading's own
      expect(new Set(times).size).toBe(times.length);
      for (const [t, kwh] of rows) expect(kwh).toBe(1000 + (t - BASE_TS) / 60_000);
      expect(rows.length).toBeGreaterThanOrEqual(m.acked.size);
    }
    expect(ackedTotal()).toBeGreaterThan(900);
  });

  it("serves the site's dashboard from the worker's state and InfluxDB", { timeout: 180_000 }, async () => {
    const s1 = sites[0]!.site.id;
    const siteDir = join(ingestDir, 'sites', s1);
    const dashboard = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'dashboard',
        CAMPUS_DATA_DIR: siteDir,
        CAMPUS_CONFIG: files[0]!,
        CAMPUS_STORE: 'influx',
        CAMPUS_INFLUX_URL: influx.url,
        CAMPUS_INFLUX_DB: DB,
        CAMPUS_HTTP_PORT: '0',
      },
      /dashboard on http:\/\/localhost:(\d+)/,
    );
    parts.push(dashboard);
    const api = apiClient(`http://127.0.0.1:${dashboard.ready[0]}`, siteDir);
    const meter = sites[0]!.devices.find((d) => d.kind === 'electric_meter')!;
    await waitFor(
      `${meter.id}'s last reading on the dashboard`,
      async () => {
        const body = (await api.get('/api/devices')).body as { devices: { id: string; last: { totalKWh?: number } | null }[] };
        return (body.devices.find((d) => d.id === meter.id)?.last?.totalKWh ?? 0) > 1000;
      },
      { timeoutMs: 60_000, everyMs: 1000 },
    );
    // raw readings of the first hours (a step under an hour reads the raw points)
    const res = await api.get(`/api/readings?device=${meter.id}&field=totalKWh&from=${BASE_TS}&to=${tsOf(300)}`);
    const points = (res.body as { points?: unknown[] }).points ?? [];
    expect(points.length, JSON.stringify(res.body).slice(0, 500)).toBeGreaterThan(0);
  });
});
