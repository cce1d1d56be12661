/**
 * A real ingest process, killed with SIGKILL while devices publish, dead for 30 s while they go on,
 * then started again: every reading the devices published is stored exactly once, on both
 * backends. The broker keeps ingest's persistent session meanwhile, and ingest acknowledged only
 * what it had committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openReadingStore } from '@campus/store';
import { REPO_ROOT, startInfluxd, startStack, waitFor, type Influxd, type Stack } from '@campus/testkit';

let stack: Stack;
let influxd: Influxd | undefined;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stack?.stop();
  await influxd?.remove();
});

function startIngest(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/main.ts', 'ingest'], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAMPUS_DATA_DIR: stack.dataDir, CAMPUS_MQTT_URL: stack.mqttUrl, CAMPUS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

describe.each(['sqlite', 'influx'] as const)('ingest killed under load (%s)', (backend) => {
  it('loses nothing and duplicates nothing after 30 s dead under load', { timeout: 300_000 }, async () => {
    await stack?.stop();
    stack = await startStack({ withIngest: false });
    let env: Record<string, string> = { CAMPUS_STORE: 'sqlite' };
    if (backend === 'influx') {
      influxd = await startInfluxd();
      env = { CAMPUS_STORE: 'influx', CAMPUS_INFLUX_URL: influxd.url, CAMPUS_INFLUX_DB: 'campus' };
    }
    const ids = ['em-g1c1', 'em-g1c2', 'em-g1c3', 'em-g1c4'];
    const devices = await Promise.all(ids.map((id) => mqtt.connectAsync(stack.mqttUrl, { clientId: id, username: id, password: stack.devicePassword(id) })));
    // wait for ingest's SUBSCRIBE, not just its CONNECT: what devices publish before any
    // subscription exists goes nowhere (MQTT semantics), which would be a test race, not a loss
    const subscribed = new Promise<void>((resolve) =>
      stack.broker.instance!.on('subscribe', (_subs, client) => client?.id?.startsWith('campus-ingest') && resolve()),
    );
    let ingest = startIngest(env);
    await subscribed;

    // round i: every device publishes reading i. Ingest is killed at round 100 and stays dead for 30 s
    // while the devices go on (paced at ~10 rounds a second), then restarted; 100 more rounds follow
    const DEAD_MS = 30_000;
    const t0 = Date.now() - 120_000;
    let killed = false;
    let killedAt = 0;
    let restartedAt = -1;
    let lastCount = 0;
    let i = 0;
    for (; restartedAt < 0 || i < restartedAt + 100; i++) {
      await Promise.all(
        devices.map((d, k) => d.publishAsync(`campus/dongnan/${ids[k]}/telemetry`, JSON.stringify({ ts: t0 + i * 100, seq: i, totalKWh: i }), { qos: 1 })),
      );
      if (i === 100) {
        ingest.kill('SIGKILL');
        killed = true;
        killedAt = Date.now();
      }
      if (killed && restartedAt < 0) {
        if (Date.now() - killedAt >= DEAD_MS) {
          ingest = startIngest(env);
          restartedAt = i;
        } else await new Promise((r) => setTimeout(r, 100)); // paces the load, not a wait for a condition
      }
    }
    const perDevice = i;
    expect(killed).toBe(true);
    const settings = { store: backend, dataDir: stack.dataDir, influxUrl: influxd?.url ?? '', influxDb: 'campus', rawRetentionDays: 90 };
    const s = openReadingStore(settings, [stack.campus], { readonly: true });
    const series = (id: string) => s.series({ deviceId: id, paths: ['$.totalKWh'], from: t0, to: t0 + perDevice * 100, stepMs: 100 });
    await waitFor(
      `all ${ids.length * perDevice} readings stored`,
      async () => {
        lastCount = 0;
        for (const id of ids) lastCount += (await series(id)).reduce((n, p) => n + p.n, 0);
        return lastCount === ids.length * perDevice;
      },
      { timeoutMs: 90_000, everyMs: 500 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${lastCount} stored`);
    });
    for (const id of ids) {
      const points = await series(id);
      expect(points).toHaveLength(perDevice);
      expect(points.every((p) => p.n === 1)).toBe(true);
      expect(points.map((p) => p.avg)).toEqual(Array.from({ length: perDevice }, (_, i) => i));
    }
    s.close();
    await Promise.all(devices.map((d) => d.endAsync()));
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
});
