/**
 * Input that looks almost right, per payload family: bytes that are not UTF-8 inside a string
 * nobody reads (toString made them U+FFFD and the message was stored), and a device time the
 * calendar does not have (Date.parse made 30 February 2 March and stored the reading under it).
 * Each is refused with its reason, as a dead letter in a real SQLite file.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLog } from '@campus/runtime';
import { DeviceRegistry, pipelineContext, processMessage } from '@campus/ingest';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { campusFileWith, tempDir } from '@campus/testkit';
import { BatchWriter } from '../src/batch-writer.ts';

const dir = tempDir();
afterAll(() => dir.remove());
const { campus } = campusFileWith(dir.path);
const ctx = pipelineContext(new DeviceRegistry([campus]));

/** JSON text with raw bytes spliced in where `@@` stands (inside a string value). */
const withBytes = (text: string, bytes: number[]): Buffer => {
  const [before, after] = text.split('@@') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
};

describe('bytes that are not UTF-8, in a field no adapter reads', () => {
  const NOW = Date.parse('2026-11-23T10:00:00+08:00');
  const iso = new Date(NOW - 60_000).toISOString();
  const local = new Date(NOW - 60_000 + 8 * 3600_000).toISOString().slice(0, 19);
  const families = [
    ['native', 'campus/dongnan/wm-main/telemetry', `{"ts":${NOW - 60_000},"seq":1,"totalM3":1000,"note":"ab@@cd"}`],
    ['tasmota', 'tele/tasmota_G1C1/SENSOR', `{"Time":"${local}","ENERGY":{"Total":52.7,"Power":36},"Vendor":"ab@@cd"}`],
    [
      'shelly',
      'shellypro3em-c8f09e8a1b2c/status/em:0',
      `{"id":0,"a_current":4,"b_current":4,"c_current":4,"a_voltage":230,"b_voltage":230,"c_voltage":230,"user_ca":"ab@@cd"}`,
    ],
    ['zigbee2mqtt', 'zigbee2mqtt/留样柜温度', `{"temperature":3.5,"battery":90,"last_seen":"${iso}","device":{"model":"ab@@cd"}}`],
    ['wmbus', 'wmbusmeters/gw-dorm/dorm3', `{"meter":"iperl","id":"33225544","total_m3":123.5,"timestamp":"${iso}","name":"ab@@cd"}`],
  ] as const;

  it.each(families)('%s: refused with the byte that breaks it; the same text in UTF-8 is a reading', (_family, topic, text) => {
    for (const bytes of [[0xff], [0xe6, 0x41], [0xed, 0xa0, 0x80]]) {
      expect(processMessage(topic, withBytes(text, bytes), NOW, ctx), bytes.join(' ')).toEqual([
        { type: 'rejected', reason: expect.stringMatching(/^payload is not valid UTF-8 \(byte \d+: 0x[0-9a-f]{2}\)$/) },
      ]);
    }
    expect(processMessage(topic, withBytes(text, [...Buffer.from('冷')]), NOW, ctx)).toEqual([expect.objectContaining({ type: 'reading' })]);
  });
});

describe('a device time the calendar does not have', () => {
  // 2 March 2026, 10:01 UTC: "30 February 10:00" would be 2 March 10:00, a minute ago, had it been shifted
  const NOW = Date.UTC(2026, 2, 2, 10, 1);
  const refused = /has day 30 of a month of 28 days/;
  const families = [
    ['native ts', 'campus/dongnan/wm-main/telemetry', JSON.stringify({ ts: '2026-02-30T10:00:00Z', seq: 1, totalM3: 1000 })],
    ['Tasmota Time (local, no zone)', 'tele/tasmota_G1C1/SENSOR', JSON.stringify({ Time: '2026-02-30T18:00:00', ENERGY: { Total: 52.7 } })],
    ['Tasmota Time (with a zone)', 'tele/tasmota_G1C1/SENSOR', JSON.stringify({ Time: '2026-02-30T18:00:00+08:00', ENERGY: { Total: 52.7 } })],
    ['Zigbee2MQTT last_seen', 'zigbee2mqtt/留样柜温度', JSON.stringify({ temperature: 3.5, last_seen: '2026-02-30T10:00:00Z' })],
    ['wmbusmeters timestamp', 'wmbusmeters/gw-dorm/dorm3', JSON.stringify({ id: '33225544', total_m3: 123.5, timestamp: '2026-02-30T10:00:00Z' })],
  ] as const;

  it.each(families)('%s: refused, not shifted to 2 March', (_what, topic, payload) => {
    expect(processMessage(topic, Buffer.from(payload), NOW, ctx)).toEqual([{ type: 'rejected', reason: expect.stringMatching(refused) }]);
    // the day before exists: the same message is a reading
    const real = payload.replace('2026-02-30', '2026-03-02');
    expect(processMessage(topic, Buffer.from(real), NOW, ctx)).toEqual([
      expect.objectContaining({ type: 'reading', reading: expect.objectContaining({ ts: Date.UTC(2026, 2, 2, 10) }) }),
    ]);
  });

  it('hour 24:30, month 13, 31 April are refused by every family that carries a time', () => {
    for (const bad of ['2026-03-01T24:30:00Z', '2026-13-01T10:00:00Z', '2026-04-31T10:00:00Z']) {
      const [out] = processMessage('campus/dongnan/wm-main/telemetry', Buffer.from(JSON.stringify({ ts: bad, seq: 1, totalM3: 1000 })), NOW, ctx);
      expect(out, bad).toEqual({ type: 'rejected', reason: expect.stringMatching(/has (hour 24|month 13|day 31 of a month of 30 days)/) });
    }
    const [tasmota] = processMessage(
      'tele/tasmota_G1C1/SENSOR',
      Buffer.from(JSON.stringify({ Time: '2026-03-02T24:30:00', ENERGY: { Total: 52.7 } })),
      NOW,
      ctx,
    );
    expect(tasmota).toEqual({ type: 'rejected', reason: expect.stringContaining('Time "2026-03-02T24:30:00" has hour 24') });
  });
});

describe('refused input is a dead letter with its reason (real SQLite)', () => {
  it('and the rejected count of the batch says so', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'bad-input.db'), { context: storeContext([campus]) });
    const NOW = Date.UTC(2026, 2, 2, 10, 1);
    const committed: number[] = [];
    const writer = new BatchWriter(store, {
      maxBatch: 100,
      maxDelayMs: 1,
      log: createLog('test'),
      onCommitted: (b) => committed.push(b.deadLetters.length),
      onWriteError: () => {},
    });
    const messages: [string, Buffer][] = [
      ['campus/dongnan/wm-main/telemetry', withBytes(`{"ts":${NOW - 1000},"seq":1,"totalM3":1000,"note":"@@"}`, [0xff])],
      ['campus/dongnan/wm-main/telemetry', Buffer.from(JSON.stringify({ ts: '2026-02-30T10:00:00Z', seq: 2, totalM3: 1000 }))],
    ];
    for (const [topic, payload] of messages) writer.add({ outcomes: processMessage(topic, payload, NOW, ctx), topic, payload, receivedAt: NOW, ack: () => {} });
    expect(await writer.drain()).toBe(true);
    expect(committed.reduce((a, b) => a + b, 0)).toBe(2);
    expect(store.count('readings')).toBe(0);
    const letters = store.deadLetters(10).reverse();
    expect(letters.map((l) => l.reason)).toEqual([expect.stringContaining('not valid UTF-8'), expect.stringContaining('has day 30 of a month of 28 days')]);
    expect(letters[0]!.payload.equals(messages[0]![1])).toBe(true);
    store.close();
  });
});
