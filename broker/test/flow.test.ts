import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { BrokerService, SubscriberFlow } from '@campus/broker';
import { loadOrCreateKey, MetricsRegistry, SERVICE_USERS, simulatedDevicePassword, type Log } from '@campus/runtime';
import { districtCampuses } from '@campus/device-sim';
import { MqttSubscriber } from '@campus/ingest';
import { tempDir, waitFor } from '@campus/testkit';

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

describe('flow control from ingest back to the devices', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function setup(flow: { high: number; maxWaitMs?: number }) {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const campuses = districtCampuses({ sites: 1, devicesPerSite: 20 });
    const metrics = new MetricsRegistry();
    const broker = new BrokerService({ host: '127.0.0.1', port: 0, dataDir: dir.path, campuses, simulated: true, log: quiet, metrics, flow });
    await broker.start();
    cleanup.push(() => broker.stop());
    const url = `mqtt://127.0.0.1:${broker.port}`;
    // ingest's own subscriber (persistent session, PUBACK only when told), holding every acknowledgement until the test lets go
    const held: (() => void)[] = [];
    let received = 0;
    const ingest = new MqttSubscriber({
      url,
      clientId: 'flow-test-ingest',
      username: SERVICE_USERS.ingest,
      password: loadOrCreateKey(dir.path, 'ingest'),
      topics: ['campus/+/+/telemetry'],
      log: quiet,
      onMessage: (_topic, _payload, ack) => {
        received++;
        held.push(ack);
      },
    });
    await ingest.start();
    cleanup.push(() => ingest.stop());
    const site = campuses[0]!;
    const device = site.devices.find((d) => d.kind === 'electric_meter')!;
    const meter: MqttClient = await mqtt.connectAsync(url, {
      clientId: device.id,
      username: device.id,
      password: simulatedDevicePassword(loadOrCreateKey(dir.path, 'sim'), site.site.id, device.id),
      reconnectPeriod: 0,
    });
    cleanup.push(() => meter.endAsync(true));
    let acked = 0;
    const publish = (seq: number) =>
      meter
        .publishAsync(`campus/${site.site.id}/${device.id}/telemetry`, JSON.stringify({ ts: Date.now(), seq, values: { kwh: seq } }), { qos: 1 })
        .then(() => {
          acked++;
        });
    return { metrics, held, publish, received: () => received, acked: () => acked };
  }

  it('holds a device back while ingest has more than `high` unacknowledged, and lets it go once ingest catches up', async () => {
    const t = await setup({ high: 20, maxWaitMs: 60_000 });
    // one publish in flight at a time, as a small device sends (packets read in one batch are authorized together)
    const sends = (async () => {
      for (let seq = 1; seq <= 60; seq++) await t.publish(seq);
    })();
    // the first 20 are queued for ingest and acknowledged to the device; then the device waits
    await waitFor('ingest received 20', () => t.received() >= 20, { timeoutMs: 20_000 });
    await waitFor('the device got 20 acknowledgements', () => t.acked() >= 20, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500)); // a margin in which a broker without flow control would acknowledge all 60
    expect(t.acked()).toBeLessThanOrEqual(21);
    expect(t.received()).toBeLessThanOrEqual(21);
    expect(t.metrics.render()).toMatch(/campus_mqtt_subscriber_queue (20|21)\b/);
    // ingest acknowledges what it has: the device goes on, and everything arrives
    const ackAll = () => {
      for (const go of t.held.splice(0)) go();
    };
    await waitFor(
      'all 60 acknowledged and received',
      () => {
        ackAll();
        return t.acked() === 60 && t.received() === 60;
      },
      { timeoutMs: 30_000 },
    );
    await sends;
    expect(t.metrics.render()).toMatch(/campus_mqtt_flow_waits [1-9]/);
  });

  it('a frozen subscriber slows devices down but never stops them (maxWaitMs)', async () => {
    const t = await setup({ high: 5, maxWaitMs: 300 });
    for (let seq = 1; seq <= 12; seq++) await t.publish(seq);
    // nothing was ever acknowledged by "ingest", yet every publish completed after its wait
    expect(t.acked()).toBe(12);
    await waitFor('ingest got all 12, none acknowledged', () => t.held.length === 12, { timeoutMs: 10_000 });
    expect(t.metrics.render()).toMatch(/campus_mqtt_flow_waits [1-9]/);
  });

  it('counts what the persistence queues and clears, per client', async () => {
    const flow = new SubscriberFlow({ high: 2 });
    const cleared: string[] = [];
    const persistence = {
      async outgoingEnqueueCombi(_subs: unknown, _packet: unknown) {},
      async outgoingClearMessageId(client: { id: string }, _packet: unknown) {
        cleared.push(client.id);
        return cleared.length === 3 ? undefined : { messageId: 1 }; // the third one finds nothing
      },
    };
    flow.wrap(persistence);
    const ingest = { id: 'ingest' } as never;
    flow.watch(ingest);
    await persistence.outgoingEnqueueCombi([{ clientId: 'ingest' }, { clientId: 'other' }] as never, {} as never);
    await persistence.outgoingEnqueueCombi([{ clientId: 'ingest' }] as never, {} as never);
    await persistence.outgoingEnqueueCombi([{ clientId: 'ingest' }] as never, {} as never);
    expect(flow.deepest).toBe(3);
    const wait = flow.gate();
    expect(wait).toBeInstanceOf(Promise);
    await persistence.outgoingClearMessageId(ingest, {} as never);
    await persistence.outgoingClearMessageId(ingest, {} as never);
    await new Promise((r) => setImmediate(r));
    expect(flow.deepest).toBe(1);
    await wait; // back at low (1): released
    await persistence.outgoingClearMessageId(ingest, {} as never); // found nothing: the count stays
    await new Promise((r) => setImmediate(r));
    expect(flow.deepest).toBe(1);
    expect(flow.gate()).toBeUndefined();
  });
});
