/**
 * Ingest workers sharing two sites (worker.ts), over our broker on a free port: the assignment file
 * is edited while devices publish, and the site moves from one worker to the other without ever
 * being read by both at once, and without losing or doubling a reading.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { writeDistrict } from '@campus/device-sim';
import { SqliteReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { IngestWorker } from '@campus/ingest';
import { MetricsRegistry } from '@campus/runtime';
import { loadCampus, type Campus } from '@campus/site';
import { quietLog, startTestBroker, tempDir, waitFor, type TestBroker } from '@campus/testkit';

const dir = tempDir('campus-workers-');
let broker: TestBroker;
let sites: Campus[];
let assignment: string;
const workers: IngestWorker[] = [];

function assign(s1: string[], s2: string[]): void {
  const [a, b] = sites.map((s) => s.site.id);
  writeFileSync(
    assignment,
    `sites:\n  - { id: ${a}, campus: ${a}.yaml, workers: [${s1.join(', ')}] }\n  - { id: ${b}, campus: ${b}.yaml, workers: [${s2.join(', ')}] }\n`,
  );
  // a change within the same millisecond as the last one still counts
  const t = new Date(Date.now() + workers.length * 1000 + Math.random() * 1000);
  utimesSync(assignment, t, t);
}

beforeAll(async () => {
  const files = writeDistrict(join(dir.path, 'sites'), { sites: 2, devicesPerSite: 8 });
  sites = files.map((f) => loadCampus(f));
  assignment = join(dir.path, 'sites', 'assignment.yaml');
  assign(['w1', 'w2'], ['w2', 'w1']);
  broker = await startTestBroker(sites, { dataDir: join(dir.path, 'data') });
  for (const name of ['w1', 'w2']) {
    const w = new IngestWorker({
      name,
      assignmentFile: assignment,
      dataDir: broker.dataDir,
      mqttUrl: broker.url,
      log: quietLog,
      metrics: new MetricsRegistry(),
      ingest: { store: 'sqlite', maxDelayMs: 10 },
      checkEveryMs: 200,
      settleMs: 300,
    });
    await w.start();
    workers.push(w);
  }
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await broker?.stop();
  dir.remove();
});

describe('ingest workers owning sites', () => {
  it('each reads its own site, and a site moves when the assignment file changes, read by one worker at a time', { timeout: 120_000 }, async () => {
    const [w1, w2] = workers as [IngestWorker, IngestWorker];
    const [s1, s2] = sites.map((s) => s.site.id) as [string, string];
    await waitFor('w1 reading s1 and w2 reading s2', () => w1.running.has(s1) && w2.running.has(s2) && !w1.running.has(s2) && !w2.running.has(s1), {
      timeoutMs: 30_000,
    });

    // one meter per site publishes throughout
    const meters = sites.map((campus) => ({ campus, id: campus.devices.find((d) => d.kind === 'electric_meter')!.id, acked: 0 }));
    const clients: MqttClient[] = [];
    let publishing = true;
    const senders = meters.map(async (m) => {
      const c = await mqtt.connectAsync(broker.url, { ...broker.deviceLogin(m.id), clean: false });
      clients.push(c);
      for (let seq = 1; publishing; seq++) {
        await c.publishAsync(`campus/${m.campus.site.id}/${m.id}/telemetry`, JSON.stringify({ ts: Date.UTC(2026, 10, 1) + seq * 60_000, seq, totalKWh: seq }), {
          qos: 1,
        });
        m.acked = seq;
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    // never both at once: sampled every 5 ms for the whole move
    let both = 0;
    const watch = setInterval(() => {
      if (w1.running.has(s1) && w2.running.has(s1)) both++;
    }, 5);
    try {
      await waitFor('readings flowing', () => meters.every((m) => m.acked >= 50), { timeoutMs: 30_000 });
      assign(['w2', 'w1'], ['w2', 'w1']);
      await waitFor('s1 moved to w2', () => w2.running.has(s1) && !w1.running.has(s1), { timeoutMs: 30_000 });
      const moved = meters[0]!.acked;
      await waitFor('readings after the move', () => meters[0]!.acked >= moved + 50, { timeoutMs: 30_000 });
      // and back
      assign(['w1', 'w2'], ['w2', 'w1']);
      await waitFor('s1 back at w1', () => w1.running.has(s1) && !w2.running.has(s1), { timeoutMs: 30_000 });
      const back = meters[0]!.acked;
      await waitFor('readings after the move back', () => meters[0]!.acked >= back + 50, { timeoutMs: 30_000 });
    } finally {
      publishing = false;
      clearInterval(watch);
      await Promise.all(senders);
      for (const c of clients) await c.endAsync();
    }
    expect(both).toBe(0);

    // every acknowledged reading in its site's own database, once
    for (const m of meters) {
      const file = dbPath(join(broker.dataDir, 'sites', m.campus.site.id));
      await waitFor(
        `${m.acked} readings of ${m.id} stored`,
        () => {
          const store = new SqliteReadingStore(file, { readonly: true });
          try {
            return store.count('readings') >= m.acked;
          } finally {
            store.close();
          }
        },
        { timeoutMs: 30_000 },
      );
      const store = new SqliteReadingStore(file, { readonly: true });
      try {
        expect(store.count('readings')).toBe(m.acked);
      } finally {
        store.close();
      }
    }
  });
});
