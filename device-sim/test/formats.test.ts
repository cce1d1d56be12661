/**
 * The simulator speaking off-the-shelf formats: on a campus file that maps devices to a Tasmota
 * plug, a Shelly Pro 3EM, Zigbee2MQTT sensors and a wmbusmeters gateway, the simulated devices
 * log in as those products and publish their payloads; ingest's adapters turn them back into
 * readings of the right ledger devices.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatorService } from '@campus/device-sim';
import { createLog, MetricsRegistry } from '@campus/runtime';
import { campusFileWith, startStack, tempDir, waitFor, type Stack } from '@campus/testkit';

const dir = tempDir();
let stack: Stack | undefined;
let sim: SimulatorService | undefined;
afterAll(async () => {
  await sim?.stop();
  await stack?.stop();
  dir.remove();
});

describe('simulated devices in off-the-shelf formats', () => {
  it('publish as Tasmota, Shelly, Zigbee2MQTT and wmbusmeters, and come back as ledger readings', { timeout: 180_000 }, async () => {
    const { campus } = campusFileWith(dir.path);
    stack = await startStack({ campus });
    sim = new SimulatorService({
      campuses: [campus],
      mqttUrl: stack.mqttUrl,
      dataDir: stack.dataDir,
      log: createLog('test'),
      metrics: new MetricsRegistry(),
      startSpreadMs: 200,
    });
    await sim.start();
    // one connection per login: the two-channel Tasmota carries two ledger meters
    expect(sim.health()).toMatchObject({ devices: campus.devices.length, connections: campus.devices.length - 1 });
    const ids = ['em-g1c1', 'em-g1c2', 'em-g1c3', 'tr-sci', 'em-sci', 'fr-sample', 'wm-dorm-3'];
    const last = await waitFor(
      'readings of every mapped device',
      () => {
        const byId = new Map(stack!.ingest.store!.lastReadings().map((l) => [l.deviceId, l]));
        return ids.every((id) => byId.has(id)) ? byId : undefined;
      },
      { timeoutMs: 120_000, everyMs: 500 },
    );
    expect(last.get('tr-sci')!.values).toMatchObject({ currentA: expect.any(Array), voltageV: expect.any(Array) });
    expect(last.get('em-g1c3')!.values).toMatchObject({ totalKWh: expect.any(Number) });
    expect(last.get('fr-sample')!.values).toMatchObject({ tempC: expect.any(Number) });
    expect(last.get('wm-dorm-3')!.values).toMatchObject({ totalM3: expect.any(Number) });
    // nothing of theirs was refused
    expect(stack.ingest.store!.deadLetters(50).filter((d) => !d.topic.startsWith('campus/'))).toEqual([]);
  });
});
