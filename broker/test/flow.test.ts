import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { SubscriberFlow } from '@campus/broker';
import { districtCampuses } from '@campus/device-sim';
import { MqttSubscriber } from '@campus/ingest';
import { quietLog as quiet, startTestBroker, waitFor } from '@campus/testkit';

describe('flow control from ingest back to the devices', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function setup(flow: { high: number; maxWaitMs?: number; maxQueued?: number }) {
    const campuses = districtCampuses({ sites: 1, devicesPerSite: 20 });
    const t = await startTestBroker(campuses, { flow });
    cleanup.push(() => t.stop());
    const { url, metrics } = t;
    // ingest's own subscriber (persistent session, PUBACK only when told), holding every acknowledgement until the test lets go
    const held: (() => void)[] = [];
    let received = 0;
    const ingest = new MqttSubscriber({
      url,
      clientId: 'flow-test-ingest',
      ...t.ingestLogin(),
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
    const meter: MqttClient = await mqtt.connectAsync(url, { ...t.deviceLogin(device.id), reconnectPeriod: 0 });
    cleanup.push(() => meter.endAsync(true));
    let acked = 0;
    const publish = (seq: number) =>
      meter
        .publishAsync(`campus/${site.site.id}/${device.id}/telemetry`, JSON.stringify({ ts: Date.now(), seq, values: { kwh: seq } }), { qos: 1 })
        .then(() => {
          acked++;
        });
    return { metrics, held, publish, ingest, meter, received: () => received, acked: () => acked };
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
    expect(t.metrics.render()).toMatch(/campus_mqtt_flow_waits_total [1-9]/);
  });

  it("refuses device publishes once ingest's queue is at its bound while ingest is away, and loses none it acknowledged", async () => {
    const t = await setup({ high: 1000, maxQueued: 30 });
    await t.ingest.stop(); // away: its persistent session queues
    for (let seq = 1; seq <= 30; seq++) await t.publish(seq);
    expect(t.acked()).toBe(30);
    expect(t.metrics.render()).toMatch(/campus_mqtt_service_queue 30\b/);
    // the 31st is refused: MQTT 3.1.1 closes the connection, the device keeps the reading
    const closed = new Promise<void>((r) => t.meter.once('close', () => r()));
    void t.publish(31).catch(() => {});
    await closed;
    expect(t.acked()).toBe(30);
    expect(t.metrics.render()).toMatch(/campus_mqtt_refused_total\{op="publish_queue_full"\} 1\b/);
    // ingest comes back: it gets the 30 it was owed, acknowledges them, and the bound is lifted
    await t.ingest.start();
    await waitFor('the 30 queued delivered', () => t.held.length === 30, { timeoutMs: 20_000 });
    for (const ack of t.held.splice(0)) ack();
    await waitFor('the queue drained', () => /campus_mqtt_service_queue 0\b/.test(t.metrics.render()), { timeoutMs: 20_000 });
  });

  it('a frozen subscriber slows devices down but never stops them (maxWaitMs)', async () => {
    const t = await setup({ high: 5, maxWaitMs: 300 });
    for (let seq = 1; seq <= 12; seq++) await t.publish(seq);
    // nothing was ever acknowledged by "ingest", yet every publish completed after its wait
    expect(t.acked()).toBe(12);
    await waitFor('ingest got all 12, none acknowledged', () => t.held.length === 12, { timeoutMs: 10_000 });
    expect(t.metrics.render()).toMatch(/campus_mqtt_flow_waits_total [1-9]/);
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
