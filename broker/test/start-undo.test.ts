/**
 * A BrokerService.start() that fails (its port is taken) undoes what it did (server.ts start): the
 * queue file (CAMPUS_DATA_DIR/broker.db, disk persistence) is closed again, and a broker on the same
 * data dir and a free port starts and takes a device's reading.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { districtCampuses } from '@campus/device-sim';
import { startTestBroker, tempDir, type TestBroker } from '@campus/testkit';

const campuses = districtCampuses({ sites: 1, devicesPerSite: 6 });
const site = campuses[0]!;
const meter = site.devices.find((d) => d.kind === 'electric_meter')!;
const dir = tempDir('campus-broker-undo-');
/** another broker (its own data dir) on the port */
let other: TestBroker;
let taken: number;

beforeAll(async () => {
  other = await startTestBroker(campuses);
  taken = other.port;
});
afterAll(async () => {
  await other?.stop();
  dir.remove();
});

/** The files this process holds open under `path` (Linux: /proc/self/fd). */
function openUnder(path: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(path)) open.push(target);
    } catch {
      // closed meanwhile (the fd of readdirSync itself)
    }
  }
  return open;
}

describe('BrokerService.start() on a port that is taken', () => {
  it('rejects, closes broker.db, and a broker on the same data dir and a free port starts', { timeout: 60_000 }, async () => {
    const dataDir = dir.path;
    const queueFile = join(dataDir, 'broker.db');
    await expect(startTestBroker(campuses, { dataDir, port: taken })).rejects.toThrow(String(taken));
    expect(openUnder(queueFile)).toEqual([]);

    const broker = await startTestBroker(campuses, { dataDir });
    try {
      expect(openUnder(queueFile).length).toBeGreaterThan(0);
      const device = await mqtt.connectAsync(broker.url, { ...broker.deviceLogin(meter.id), reconnectPeriod: 0 });
      await device.publishAsync(`campus/${site.site.id}/${meter.id}/telemetry`, JSON.stringify({ ts: Date.UTC(2026, 10, 2), seq: 1, totalKWh: 1 }), { qos: 1 });
      await device.endAsync();
    } finally {
      await broker.stop();
    }
    expect(openUnder(queueFile)).toEqual([]);
  });
});
