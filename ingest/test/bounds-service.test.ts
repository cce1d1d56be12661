/**
 * One device login against ingest's bounds, over real MQTT into a real SQLite file: a native login
 * sends ten times the dead-letter bound of 16 KiB junk, a Zigbee2MQTT bridge login announces ten
 * times the pending bound of made-up sensors. Afterwards the tables and the file are flat, every
 * refused payload is counted as rejected, the bounds' counters say what they dropped and cut, the
 * log said so a handful of times (not once per message), and a real reading is still stored.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Log } from '@campus/runtime';
import { SqliteReadingStore } from '@campus/store';
import { campusFileWith, startStack, tempDir, waitFor, type Stack } from '@campus/testkit';

const dir = tempDir();
const { campus } = campusFileWith(dir.path);
const ROWS = 200;
const PENDING = 100;
const JUNK = 10 * ROWS;
const FAKES = 10 * PENDING;

/** Every line ingest logs, for counting. */
const lines: string[] = [];
const capture = (prefix = ''): Log => ({
  debug() {},
  info: (m) => void lines.push(`${prefix}info ${m}`),
  warn: (m) => void lines.push(`${prefix}warn ${m}`),
  error: (m) => void lines.push(`${prefix}error ${m}`),
  child: (part) => capture(`${prefix}${part}: `),
});

let stack: Stack;
const clients: mqtt.MqttClient[] = [];
beforeAll(async () => {
  stack = await startStack({
    campus,
    ingest: { log: capture(), bounds: { deadLetters: { maxRows: ROWS, maxPayloadBytes: 1024 }, pending: { maxRows: PENDING } } },
  });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await stack?.stop();
  dir.remove();
});

const login = async (username: string) => {
  const c = await mqtt.connectAsync(stack.mqttUrl, { clientId: username, username, password: stack.devicePassword(username), reconnectPeriod: 0 });
  clients.push(c);
  return c;
};
const metric = (name: string, labels = '') =>
  stack.metrics
    .render()
    .split('\n')
    .filter((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (!labels && l.startsWith(`${name}{`)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
const dbBytes = () => ['', '-wal'].reduce((n, ext) => n + (statSync(join(stack.dataDir, `campus.db${ext}`), { throwIfNoEntry: false })?.size ?? 0), 0);

describe('ingest under a login that sends ten times each bound', () => {
  it('keeps the dead letters and the pending list within their bounds, counts everything, and still stores a real reading', { timeout: 240_000 }, async () => {
    const startedAt = Date.now();
    const junk = await login('wm-main');
    const bridge = await login('zigbee2mqtt');
    const rejectedBefore = metric('campus_readings_rejected_total');
    const pendingBefore = metric('campus_pending_messages_total');

    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < JUNK; i++) sent.push(junk.publishAsync('campus/dongnan/wm-main/telemetry', Buffer.alloc(16 * 1024, `junk ${i} `), { qos: 1 }));
    for (let i = 0; i < FAKES; i++)
      sent.push(bridge.publishAsync(`zigbee2mqtt/fake-sensor-${i}`, JSON.stringify({ temperature: 3 + (i % 10) / 10 }), { qos: 1 }));
    await Promise.all(sent);
    await waitFor(
      'ingest to have judged every message',
      () => metric('campus_readings_rejected_total') - rejectedBefore >= JUNK && metric('campus_pending_messages_total') - pendingBefore >= FAKES,
      {
        timeoutMs: 180_000,
        everyMs: 200,
      },
    );

    // every refused payload counted; what the bounds did, counted
    expect(metric('campus_readings_rejected_total') - rejectedBefore).toBe(JUNK);
    expect(metric('campus_dead_letters_bounded_total', 'action="truncated"')).toBe(JUNK);
    expect(metric('campus_dead_letters_bounded_total', 'action="dropped"')).toBe(JUNK - ROWS);
    expect(metric('campus_pending_devices_refused_total')).toBe(FAKES - PENDING);

    // flat: the tables at their bounds, the file a fraction of the 32 MB that came
    const store = new SqliteReadingStore(join(stack.dataDir, 'campus.db'), { readonly: true });
    try {
      expect(store.count('dead_letters')).toBe(ROWS);
      expect(store.count('pending_devices')).toBe(PENDING);
      const newest = store.deadLetters(1)[0]!;
      expect(newest).toMatchObject({ payloadBytes: 16 * 1024, reason: expect.stringContaining('not valid JSON') });
      expect(newest.payload.length).toBe(1024);
    } finally {
      store.close();
    }
    expect(dbBytes()).toBeLessThan(8 * 1024 * 1024);

    // said, not shouted: a line per bound and minute, 20 rejected messages a minute one by one and a line for the rest
    const minutes = Math.floor((Date.now() - startedAt) / 60_000) + 1;
    const said = (re: RegExp) => lines.filter((l) => re.test(l)).length;
    for (const re of [/dead letters at their bounds/, /list of off-the-shelf devices waiting for adoption is full/, /rejected messages beyond 20 a minute/]) {
      expect(said(re), String(re)).toBeGreaterThanOrEqual(1);
      expect(said(re), String(re)).toBeLessThanOrEqual(minutes);
    }
    expect(said(/^warn rejected campus\//)).toBeGreaterThanOrEqual(20);
    expect(said(/^warn rejected campus\//)).toBeLessThanOrEqual(20 * minutes);
    expect(lines.length).toBeLessThan(100 * minutes);

    // still serving: a real reading from the same login is stored
    const ts = Date.now();
    await junk.publishAsync('campus/dongnan/wm-main/telemetry', JSON.stringify({ ts, seq: 1, totalM3: 1234.5 }), { qos: 1 });
    await waitFor('the real reading stored', () => stack.ingest.store!.lastReadings().find((r) => r.deviceId === 'wm-main' && r.ts === ts), {
      timeoutMs: 30_000,
    });
    expect(stack.ingest.health()).toMatchObject({ ok: true, queue: 0 });
  });
});
