/**
 * A start() that fails undoes what it did (service.ts start): a store that will not open, a broker
 * that refuses ingest's login, a spool directory that cannot be made. Afterwards the data dir's
 * ingest lock is gone, no detection engine is left running, and the same service (or the worker's
 * next attempt at the site) starts and stores a reading.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeDistrict } from '@campus/device-sim';
import { DetectionService, IngestService, IngestWorker, type IngestOptions } from '@campus/ingest';
import { MetricsRegistry } from '@campus/runtime';
import { loadCampus, type Campus } from '@campus/site';
import { openReadingStore, type ReadingStore } from '@campus/store';
import { campusFileWith, quietLog, startTestBroker, tempDir, waitFor, type TestBroker } from '@campus/testkit';

const dir = tempDir('campus-start-undo-');
// no off-the-shelf devices: every meter logs in as itself
const { campus } = campusFileWith(dir.path, {});
let broker: TestBroker;
/** a broker of its own: ingest's key is not the one it issued, so it refuses the login */
let stranger: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker([campus]);
  stranger = await startTestBroker([campus]);
});
afterAll(async () => {
  await broker?.stop();
  await stranger?.stop();
  dir.remove();
});

/** DetectionService starts and stops, counted: running engines = started - stopped. */
const detectionStarts = () => {
  const start = vi.spyOn(DetectionService.prototype, 'start');
  const stop = vi.spyOn(DetectionService.prototype, 'stop');
  return { running: () => start.mock.calls.length - stop.mock.calls.length, started: () => start.mock.calls.length };
};
afterEach(() => void vi.restoreAllMocks());

const meter = (c: Campus) => c.devices.find((d) => d.kind === 'electric_meter')!.id;

/** Publishes one reading of the campus's first meter and waits until `store` has it. */
async function storesAReading(store: () => ReadingStore | undefined, c: Campus, seq: number): Promise<void> {
  const id = meter(c);
  const client = await mqtt.connectAsync(broker.url, { ...broker.deviceLogin(id), reconnectPeriod: 0 });
  try {
    const ts = Date.UTC(2026, 10, 2) + seq * 60_000;
    await client.publishAsync(`campus/${c.site.id}/${id}/telemetry`, JSON.stringify({ ts, seq, totalKWh: seq }), { qos: 1 });
    await waitFor(`the reading of ${id} at ${ts} stored`, () =>
      store()
        ?.lastReadings()
        .some((d) => d.deviceId === id && d.ts === ts),
    );
  } finally {
    await client.endAsync();
  }
}

const lockFile = (dataDir: string) => join(dataDir, 'ingest.lock');

/** Starts the service, which holds the lock (and runs one engine) and stores a reading; then stops it, which lets both go. */
async function startsAndStores(service: IngestService, dataDir: string, seq: number, engines?: () => number): Promise<void> {
  await service.start();
  try {
    expect(existsSync(lockFile(dataDir))).toBe(true);
    if (engines) expect(engines()).toBe(1);
    await storesAReading(() => service.store, campus, seq);
  } finally {
    await service.stop();
  }
  expect(existsSync(lockFile(dataDir))).toBe(false);
  if (engines) expect(engines()).toBe(0);
}

function ingestOptions(dataDir: string, overrides: Partial<IngestOptions> = {}): IngestOptions {
  return {
    dataDir,
    campuses: [campus],
    store: 'sqlite',
    mqttUrl: broker.url,
    mqttLogin: { secretsDir: broker.dataDir },
    log: quietLog,
    metrics: new MetricsRegistry(),
    clientId: `campus-ingest-undo-${Math.random().toString(36).slice(2, 8)}`,
    maxDelayMs: 10,
    ...overrides,
  };
}

describe('IngestService.start() that fails', () => {
  it('when the store will not open: the lock is released, and the same service starts and stores once the store opens', { timeout: 60_000 }, async () => {
    const dataDir = join(dir.path, 'store-fails');
    let storeOpens = false;
    const service = new IngestService(
      ingestOptions(dataDir, {
        openStore: () => {
          if (!storeOpens) throw new Error('the disk is gone');
          return openReadingStore({ store: 'sqlite', dataDir, influxUrl: '', influxDb: '', rawRetentionDays: 90 }, [campus]);
        },
      }),
    );
    await expect(service.start()).rejects.toThrow('the disk is gone');
    expect(existsSync(lockFile(dataDir))).toBe(false);
    expect(service.store).toBeUndefined();

    storeOpens = true;
    await startsAndStores(service, dataDir, 1);
  });

  it(
    'when the broker refuses the login: lock, store and detection are released, and the same service starts again with one engine',
    { timeout: 60_000 },
    async () => {
      const dataDir = join(dir.path, 'broker-refuses');
      const detection = detectionStarts();
      let url = stranger.url;
      const service = new IngestService(ingestOptions(dataDir, { mqttUrl: () => url }));
      await expect(service.start()).rejects.toThrow(/refused/);
      expect(detection.started()).toBe(1);
      expect(detection.running()).toBe(0);
      expect(service.detection).toBeUndefined();
      expect(service.store).toBeUndefined();
      expect(existsSync(lockFile(dataDir))).toBe(false);

      // another ingest on the same data dir (a restarted process) gets the directory
      await startsAndStores(new IngestService(ingestOptions(dataDir)), dataDir, 2, detection.running);

      // and the service that failed starts on the broker that knows it
      url = broker.url;
      await startsAndStores(service, dataDir, 3, detection.running);
    },
  );
});

describe('IngestWorker retrying a site whose first start failed', () => {
  it('ends with one detection engine on the site', { timeout: 60_000 }, async () => {
    const workerDir = join(dir.path, 'worker');
    const [file] = writeDistrict(join(workerDir, 'sites'), { sites: 1, devicesPerSite: 6 });
    const site = loadCampus(file!);
    const siteId = site.site.id;
    const assignment = join(workerDir, 'sites', 'assignment.yaml');
    writeFileSync(assignment, `sites:\n  - { id: ${siteId}, campus: ${siteId}.yaml, workers: [w1] }\n`);
    const districtBroker = await startTestBroker([site], { dataDir: join(workerDir, 'data') });
    // the site's spool directory cannot be made (a file is in the way): its ingest fails after detection started
    const spool = join(districtBroker.dataDir, 'sites', siteId, 'spool');
    mkdirSync(join(spool, '..'), { recursive: true });
    writeFileSync(spool, 'in the way');
    const detection = detectionStarts();
    const worker = new IngestWorker({
      name: 'w1',
      assignmentFile: assignment,
      dataDir: districtBroker.dataDir,
      mqttUrl: districtBroker.url,
      log: quietLog,
      metrics: new MetricsRegistry(),
      ingest: { store: 'sqlite', maxDelayMs: 10 },
      checkEveryMs: 200,
      settleMs: 100,
    });
    try {
      await worker.start();
      // the worker says why once that start has undone itself
      await waitFor('the first start of the site to have failed', () => (worker.health() as { lastError?: string }).lastError);
      expect(worker.running.has(siteId)).toBe(false);
      // the worker retries every 200 ms: on a loaded machine it may have tried again meanwhile; each failed start undid itself
      expect(detection.started()).toBeGreaterThanOrEqual(1);
      expect(detection.running()).toBe(0);
      const failedStarts = detection.started();
      rmSync(spool);
      await waitFor('the worker reading the site', () => worker.running.has(siteId));
      expect(detection.started()).toBeGreaterThan(failedStarts);
      expect(detection.running()).toBe(1);
    } finally {
      await worker.stop();
      await districtBroker.stop();
    }
    expect(detection.running()).toBe(0);
  });
});
