/**
 * A real ingest process, killed with SIGKILL while devices publish, then started again: every
 * reading the devices published is stored exactly once. The broker keeps ingest's persistent
 * session meanwhile, and ingest acknowledged only what it had committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteReadingStore, dbPath } from '@campus/ingest';
import { REPO_ROOT, startStack, waitFor, type Stack } from '@campus/testkit';

let stack: Stack;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stack?.stop();
});

function startIngest(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAMPUS_DATA_DIR: stack.dataDir, CAMPUS_MQTT_URL: stack.mqttUrl, CAMPUS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

describe('ingest killed under load', () => {
  it('loses nothing and duplicates nothing', { timeout: 180_000 }, async () => {
    stack = await startStack({ withIngest: false });
    const ids = ['em-g1c1', 'em-g1c2', 'em-g1c3', 'em-g1c4'];
    const devices = await Promise.all(ids.map((id) => mqtt.connectAsync(stack.mqttUrl, { clientId: id, username: id, password: stack.devicePassword(id) })));
    // wait for ingest's SUBSCRIBE, not just its CONNECT: what devices publish before any
    // subscription exists goes nowhere (MQTT semantics), which would be a test race, not a loss
    const subscribed = new Promise<void>((resolve) =>
      stack.broker.instance!.on('subscribe', (_subs, client) => client?.id?.startsWith('campus-ingest') && resolve()),
    );
    let ingest = startIngest();
    await subscribed;

    const perDevice = 300;
    const t0 = Date.now() - 60_000;
    let killed = false;
    let lastCount = 0;
    for (let i = 0; i < perDevice; i++) {
      await Promise.all(
        devices.map((d, k) => d.publishAsync(`campus/dongnan/${ids[k]}/telemetry`, JSON.stringify({ ts: t0 + i * 100, seq: i, totalKWh: i }), { qos: 1 })),
      );
      if (i === 100 && !killed) {
        ingest.kill('SIGKILL');
        killed = true;
      }
      if (i === 200) ingest = startIngest();
    }
    expect(killed).toBe(true);
    const store = () => new SqliteReadingStore(dbPath(stack.dataDir), { readonly: true });
    await waitFor(
      `all ${ids.length * perDevice} readings stored`,
      () => {
        const s = store();
        try {
          lastCount = s.count('readings');
          return lastCount === ids.length * perDevice;
        } finally {
          s.close();
        }
      },
      { timeoutMs: 90_000, everyMs: 500 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${lastCount} stored`);
    });
    const s = store();
    for (const id of ids) {
      const points = s.series({ deviceId: id, paths: ['$.totalKWh'], from: t0, to: t0 + perDevice * 100, stepMs: 100 });
      expect(points).toHaveLength(perDevice);
      expect(points.every((p) => p.n === 1)).toBe(true);
      expect(points.map((p) => p.avg)).toEqual(Array.from({ length: perDevice }, (_, i) => i));
    }
    s.close();
    await Promise.all(devices.map((d) => d.endAsync()));
  });
});
