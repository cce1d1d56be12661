/**
 * Ingest acknowledges a QoS 1 message only once its batch is durable: while the store write is
 * held open, the broker has no PUBACK from ingest; released, every message is acked and stored.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteReadingStore, type ReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { startStack, waitFor, type Stack } from '@campus/testkit';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('acknowledge after store', () => {
  it('holds PUBACKs until the batch is committed', async () => {
    stack = await startStack({ withIngest: false });
    const real = new SqliteReadingStore(dbPath(stack.dataDir));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let writes = 0;
    const held: ReadingStore = Object.assign(Object.create(real) as ReadingStore, {
      write: async (batch: Parameters<ReadingStore['write']>[0]) => {
        writes++;
        await gate;
        return real.write(batch);
      },
    });
    const acks: number[] = [];
    stack.broker.instance!.on('ack', (packet, client) => {
      if (client?.id === 'campus-ingest-test' && packet.cmd === 'publish') acks.push(packet.messageId!);
    });
    await stack.startIngest({ openStore: () => held });

    const device = await mqtt.connectAsync(stack.mqttUrl, { clientId: 'em-g1c1', username: 'em-g1c1', password: stack.devicePassword('em-g1c1') });
    const t0 = Date.now() - 10_000;
    for (let i = 0; i < 5; i++) {
      await device.publishAsync('campus/dongnan/em-g1c1/telemetry', JSON.stringify({ ts: t0 + i * 1000, seq: i, totalKWh: 100 + i }), { qos: 1 });
    }
    await waitFor('ingest to receive 5 messages', () => stack!.metrics.counter('campus_readings_received_total', '').get() === 5);
    await waitFor('a store write to start', () => writes > 0);
    expect(acks).toEqual([]);
    expect(real.lastReadings()).toEqual([]);

    release();
    await waitFor('5 acknowledgements', () => acks.length === 5);
    expect(real.lastReadings()[0]).toMatchObject({ deviceId: 'em-g1c1', seq: 4 });
    await device.endAsync();
  });
});
