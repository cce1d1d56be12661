/**
 * Fault test: the broker restarts while ingest is away. With durable persistence (the default disk
 * file, or Redis with append-only and fsync always) the messages the broker acknowledged to the
 * devices and queued for ingest's persistent session survive the restart: ingest comes back and
 * stores each exactly once. With memory alone the same sequence loses them (the last case proves
 * the test can tell the difference).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { BrokerService, type PersistenceOptions } from '@campus/broker';
import { IngestService } from '@campus/ingest';
import { SqliteReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { createLog, loadOrCreateKey, MetricsRegistry, simulatedDevicePassword } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startRedis, tempDir, waitFor, type RedisServer } from '@campus/testkit';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const meters = campus.devices.filter((d) => d.kind === 'electric_meter').slice(0, 3);
const PER_METER = 100;

async function scenario(persistence: PersistenceOptions): Promise<{ acked: number; stored: number; deadLetters: number }> {
  const dir = tempDir();
  const log = createLog('test');
  try {
    const broker = () =>
      new BrokerService({ host: '127.0.0.1', port, dataDir: dir.path, campuses: [campus], simulated: true, log, metrics: new MetricsRegistry(), persistence });
    // the first broker picks a free port; the restarted one takes the same
    let port = 0;
    let b = broker();
    await b.start();
    port = b.port;
    const ingest = () =>
      new IngestService({
        dataDir: dir.path,
        campuses: [campus],
        store: 'sqlite',
        mqttUrl: `mqtt://127.0.0.1:${port}`,
        log,
        metrics: new MetricsRegistry(),
        clientId: 'campus-ingest-restart-test',
        maxDelayMs: 10,
      });
    // ingest subscribes once (persistent session), then goes away
    let i = ingest();
    await i.start();
    await i.stop();

    // devices publish while ingest is away: every one acknowledged by the broker
    const simKey = loadOrCreateKey(dir.path, 'sim');
    let acked = 0;
    const start = Date.now() - PER_METER * 60_000;
    await Promise.all(
      meters.map(async (m) => {
        const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
          clientId: m.id,
          username: m.id,
          password: simulatedDevicePassword(simKey, campus.site.id, m.id),
          reconnectPeriod: 0,
        });
        for (let seq = 1; seq <= PER_METER; seq++) {
          await c.publishAsync(`campus/${campus.site.id}/${m.id}/telemetry`, JSON.stringify({ ts: start + seq * 60_000, seq, totalKWh: 1000 + seq }), {
            qos: 1,
          });
          acked++;
        }
        await c.endAsync();
      }),
    );

    // the broker restarts (ingest still away), then ingest comes back
    await b.stop();
    b = broker();
    await b.start();
    let acks = 0;
    b.instance!.on('ack', (_p, client) => client?.id === 'campus-ingest-restart-test' && acks++);
    i = ingest();
    await i.start();
    const store = new SqliteReadingStore(dbPath(dir.path), { readonly: true });
    try {
      if (persistence.kind === 'redis')
        await waitFor('every acknowledged reading stored', () => store.count('readings') >= acked, { timeoutMs: 60_000 }).catch((err: Error) => {
          throw new Error(
            `${err.message}: ${store.count('readings')} of ${acked} stored, ${store.count('dead_letters')} dead letters; the broker saw ${acks} acknowledgements from ingest`,
          );
        });
      else await new Promise((r) => setTimeout(r, 3000)); // nothing is coming: give it a fair chance
      // readings are keyed by (device, time): the count equal to what was acknowledged is exactly that set, once each
      return { acked, stored: store.count('readings'), deadLetters: store.count('dead_letters') };
    } finally {
      store.close();
      await i.stop();
      await b.stop();
    }
  } finally {
    dir.remove();
  }
}

describe('broker restart while ingest is away', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.remove();
  });

  it('with Redis persistence: every acknowledged reading is stored exactly once', { timeout: 120_000 }, async () => {
    const r = await scenario({ kind: 'redis', redisUrl: redis.url });
    expect(r.acked).toBe(meters.length * PER_METER);
    expect(r.stored).toBe(r.acked);
    expect(r.deadLetters).toBe(0);
  });

  it('with the default disk persistence: every acknowledged reading is stored exactly once', { timeout: 120_000 }, async () => {
    const r = await scenario({ kind: 'disk' });
    expect(r.acked).toBe(meters.length * PER_METER);
    expect(r.stored).toBe(r.acked);
    expect(r.deadLetters).toBe(0);
  });

  it('with memory alone the same restart loses them (why the default is on disk)', async () => {
    const r = await scenario({ kind: 'memory' });
    expect(r.acked).toBe(meters.length * PER_METER);
    expect(r.stored).toBe(0);
    expect(r.deadLetters).toBe(0);
  });
});
