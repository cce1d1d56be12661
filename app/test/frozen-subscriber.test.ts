/**
 * Fault test: a subscriber that stops reading (a forgotten tool on the office PC, a frozen
 * gateway). It must not stall delivery to ingest: every reading the devices send is stored exactly
 * once, and the broker disconnects the frozen one once its socket has not drained for
 * `drainTimeoutMs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { SqliteReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { loadOrCreateKey, SERVICE_USERS } from '@campus/runtime';
import { rawMqtt, startStack, waitFor, type Stack } from '@campus/testkit';

const METERS = 3;
const PER_METER = 1500;
/** ~2 KB a reading (an unknown field is ignored by validation): 9 MB in all, more than loopback socket buffers hold */
const PAD = 'x'.repeat(2000);

describe('a subscriber that stops reading', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ broker: { drainTimeoutMs: 3000 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('does not stall ingest: every reading stored once, and the frozen one is cut', async () => {
    // a raw socket: it logs in, subscribes, then never reads again
    const frozen = await rawMqtt(stack.broker.port);
    frozen.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 0,
      clientId: 'frozen-tool',
      username: SERVICE_USERS.ingest,
      password: loadOrCreateKey(stack.dataDir, 'ingest'),
    } as never);
    expect(await frozen.connack()).toBe(0);
    frozen.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'campus/+/+/telemetry', qos: 0 }] } as never);
    await frozen.next('suback');
    frozen.socket.pause();
    frozen.socket.removeAllListeners('data');

    const meters = stack.campus.devices.filter((d) => d.kind === 'electric_meter').slice(0, METERS);
    const start = Date.now() - PER_METER * 60_000;
    await Promise.all(
      meters.map(async (m) => {
        const c = await mqtt.connectAsync(stack.mqttUrl, { clientId: m.id, username: m.id, password: stack.devicePassword(m.id), reconnectPeriod: 0 });
        for (let seq = 1; seq <= PER_METER; seq++) {
          await c.publishAsync(
            `campus/${stack.campus.site.id}/${m.id}/telemetry`,
            JSON.stringify({ ts: start + seq * 60_000, seq, totalKWh: 1000 + seq, pad: PAD }),
            { qos: 1 },
          );
        }
        await c.endAsync();
      }),
    );
    const store = new SqliteReadingStore(dbPath(stack.dataDir), { readonly: true });
    try {
      await waitFor('every reading stored', () => store.count('readings') >= METERS * PER_METER, { timeoutMs: 120_000 });
      expect(store.count('readings')).toBe(METERS * PER_METER);
      expect(store.count('dead_letters')).toBe(0);
    } finally {
      store.close();
    }
    // the broker gave up on the frozen subscriber (its socket never drained)
    const connected = () => Boolean((stack.broker.instance as unknown as { clients: Record<string, unknown> }).clients['frozen-tool']);
    await waitFor('the frozen subscriber disconnected by the broker', () => !connected(), { timeoutMs: 60_000 });
    frozen.end();
  });
});
