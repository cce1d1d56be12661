/**
 * Hostile JSON against the pipeline, the store and the detectors: every payload of the catalogue
 * (testkit/src/hostile-cases.ts) becomes what the decision table says (a dead letter with its reason, a
 * reading, a pending device, an ignored message), nothing throws, no prototype is touched, a
 * refused message spoils nothing that follows, duplicates and late readings are stored once and in
 * time order without tripping a detector, and impossible values become sensor-fault tickets.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonDepth, MAX_JSON_DEPTH, parseJsonObject, TELEMETRY_FIELDS, type Reading } from '@campus/contract';
import { createLog } from '@campus/runtime';
import { DetectionEngine } from '@campus/detection';
import { DeviceRegistry, pipelineContext, processMessage, type Outcome, type PipelineContext } from '@campus/ingest';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { type Finding } from '@campus/repairs';
import { campusFileWith, tempDir } from '@campus/testkit';
import { BatchWriter } from '../src/batch-writer.ts';
import { goodReadings, hostileCases, type HostileCase } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());
const { campus } = campusFileWith(dir.path);
const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const MIN = 60_000;
const HOUR = 3600_000;

const newContext = () => pipelineContext(new DeviceRegistry([campus]));
const send = (ctx: PipelineContext, c: Pick<HostileCase, 'topic' | 'payload'>, now = NOW): Outcome[] =>
  processMessage(c.topic, Buffer.from(c.payload), now, ctx);

/** Checks one case's outcomes against what the catalogue expects. */
function expectOutcome(c: HostileCase, out: Outcome[], now = NOW): void {
  const e = c.expect;
  switch (e.type) {
    case 'rejected':
      expect(out, c.name).toEqual([{ type: 'rejected', reason: expect.stringMatching(e.reason) }]);
      break;
    case 'reading': {
      expect(out, c.name).toEqual([{ type: 'reading', reading: expect.objectContaining({ deviceId: e.deviceId, ts: e.ts ?? now }) }]);
      const r = (out[0] as { reading: Reading }).reading;
      // only the contract's fields, in a plain object
      for (const key of Object.keys(r.values)) expect(Object.keys(TELEMETRY_FIELDS[r.kind]), c.name).toContain(key);
      expect(Object.getPrototypeOf(r.values), c.name).toBe(Object.prototype);
      break;
    }
    case 'pending':
      expect(out, c.name).toEqual([{ type: 'pending', pending: expect.objectContaining({ id: e.id }) }]);
      break;
    case 'ignored':
      expect(out, c.name).toEqual([{ type: 'ignored', reason: expect.any(String) }]);
      break;
  }
}

describe('hostile payloads through the pipeline (in catalogue order, one pipeline: some are sequences)', () => {
  const ctx = newContext();
  const cases = hostileCases(NOW);

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectOutcome(c, send(ctx, c));
  });

  it('left no prototype touched', () => {
    const plain = {} as Record<string, unknown>;
    expect(plain.polluted).toBeUndefined();
    expect(plain.totalM3).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(Object.getOwnPropertyNames(Array.prototype)).not.toContain('polluted');
  });

  it('a good reading of every format after all of them is a reading', () => {
    const later = NOW + MIN;
    for (const c of goodReadings(later)) expectOutcome(c, send(ctx, c, later), later);
  });
});

describe('JSON depth and reserved keys (json.ts)', () => {
  const nested = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;

  it(`takes ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}, before parsing`, () => {
    expect(parseJsonObject(nested(MAX_JSON_DEPTH), 65536).ok).toBe(true);
    expect(parseJsonObject(nested(MAX_JSON_DEPTH + 1), 65536)).toEqual({ ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
    // the scan stops at the limit: a long run of [ costs no more than the limit
    expect(jsonDepth('['.repeat(60_000))).toBe(MAX_JSON_DEPTH + 1);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(parseJsonObject(`{"s":"${'['.repeat(100)}"}`, 65536).ok).toBe(true);
    expect(parseJsonObject(`{"s":"\\"${'{'.repeat(100)}\\\\"}`, 65536).ok).toBe(true);
    expect(parseJsonObject(`{"s":"\\\\",${'"x":['.repeat(1)}${'['.repeat(40)}${']'.repeat(41)}}`, 65536)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('nested deeper'),
    });
  });

  it('refuses reserved keys however they are spelled in JSON, and keeps ordinary ones', () => {
    expect(parseJsonObject('{"\\u005f_proto__":{"x":1}}', 100)).toMatchObject({ ok: false, reason: expect.stringContaining('$.__proto__') });
    expect(parseJsonObject('{"a":{"b":[1,{"constructor":1}]}}', 100)).toMatchObject({ ok: false, reason: expect.stringContaining('$.a.b[1].constructor') });
    expect(parseJsonObject('{"proto":1,"constructorName":"x","prototypes":[]}', 100).ok).toBe(true);
  });
});

describe('dead letters: every refused payload is kept with its reason and its bytes (the first 4 KiB, its length and hash beyond)', () => {
  it('through the batch writer into the store, and the good readings after them are stored', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'dead-letters.db'), { context: storeContext([campus]) });
    const ctx = newContext();
    const cases = hostileCases(NOW);
    const committed: number[] = [];
    const errors: unknown[] = [];
    const writer = new BatchWriter(store, {
      maxBatch: 2000,
      maxDelayMs: 1,
      log: createLog('test'),
      onCommitted: (batch) => committed.push(batch.deadLetters.length),
      onWriteError: (err) => errors.push(err),
    });
    let acked = 0;
    const later = NOW + MIN;
    for (const c of cases) writer.add({ outcomes: send(ctx, c), topic: c.topic, payload: Buffer.from(c.payload), receivedAt: NOW, ack: () => acked++ });
    for (const c of goodReadings(later))
      writer.add({ outcomes: send(ctx, c, later), topic: c.topic, payload: Buffer.from(c.payload), receivedAt: later, ack: () => acked++ });
    expect(await writer.drain()).toBe(true);
    expect(errors).toEqual([]);
    expect(acked).toBe(cases.length + 5);

    const refused = cases.filter((c) => c.expect.type === 'rejected');
    const letters = store.deadLetters(1000);
    expect(letters).toHaveLength(refused.length);
    expect(committed.reduce((a, b) => a + b, 0)).toBe(refused.length);
    for (const c of refused) {
      // a payload over the bound (4 KiB) is kept as its first bytes, its length and its SHA-256
      const bytes = Buffer.from(c.payload);
      const kept = bytes.length > 4096 ? { payloadBytes: bytes.length, payloadSha256: createHash('sha256').update(bytes).digest('hex') } : {};
      const letter = letters.find((d) => d.topic === c.topic && d.payload.equals(bytes.subarray(0, 4096)) && d.payloadSha256 === kept.payloadSha256);
      expect(letter, c.name).toBeDefined();
      expect(letter, c.name).toMatchObject(kept);
      expect(letter!.reason, c.name).toMatch((c.expect as { reason: RegExp }).reason);
    }
    const stored = cases.filter((c) => c.expect.type === 'reading').length + 5;
    expect(store.count('readings')).toBe(stored);
    const last = new Map(store.lastReadings().map((l) => [l.deviceId, l]));
    expect(last.get('wm-main')).toMatchObject({ ts: later, values: { totalM3: 1000.05 } });
    expect(last.get('tr-sci')?.values).toMatchObject({ currentA: [100, 110, 100] });
    expect(last.get('tr-sci')?.values).not.toHaveProperty('totalKWh'); // the refused 1e27 kWh was not merged
    expect(last.get('fr-sample')).toMatchObject({ ts: later, values: { tempC: 3.9 } });
    store.close();
  });
});

describe('duplicates and readings out of order', () => {
  const body = (ts: number, totalM3: number, seq: number) => ({ topic: 'campus/dongnan/wm-main/telemetry', payload: JSON.stringify({ ts, seq, totalM3 }) });
  const readingOf = (ctx: PipelineContext, ts: number, totalM3: number, seq: number): Reading => {
    const [out] = send(ctx, body(ts, totalM3, seq));
    if (out?.type !== 'reading') throw new Error(`not a reading: ${JSON.stringify(out)}`);
    return out.reading;
  };

  it('are stored once each, and a query returns them in time order', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'order.db'), { context: storeContext([campus]) });
    const ctx = newContext();
    const t = (s: number) => NOW - 600_000 + s * 1000;
    const r = (s: number, v: number) => readingOf(ctx, t(s), v, s);
    const batches = [
      [r(30, 5.03), r(10, 5.01)],
      [r(20, 5.02), r(10, 5.01), r(30, 5.03)],
      [r(10, 5.01), r(40, 5.04)],
    ];
    const results = [];
    for (const b of batches) results.push(await store.write({ readings: b, statuses: [], deadLetters: [] }));
    expect(results.map((x) => x.stored)).toEqual([2, 1, 1]);
    expect(results.map((x) => x.duplicates)).toEqual([0, 2, 1]);
    const series = await store.series({ deviceId: 'wm-main', paths: ['$.totalM3'], from: t(0), to: t(60), stepMs: 1000 });
    expect(series.map((p) => [p.t, p.avg, p.n])).toEqual([
      [t(10), 5.01, 1],
      [t(20), 5.02, 1],
      [t(30), 5.03, 1],
      [t(40), 5.04, 1],
    ]);
    expect(store.lastReadings().find((l) => l.deviceId === 'wm-main')).toMatchObject({ ts: t(40), values: { totalM3: 5.04 } });
    store.close();
  });

  it('a late reading is stored and not judged: a transformer overload 20 days old opens no ticket now', () => {
    const ctx = newContext();
    const engine = new DetectionEngine([campus]);
    const tr = (ts: number, a: number, now = ts) => {
      const [out] = send(
        ctx,
        { topic: 'campus/dongnan/tr-main/telemetry', payload: JSON.stringify({ ts, seq: 0, currentA: [a, a, a], voltageV: [230, 230, 230] }) },
        now,
      );
      if (out?.type !== 'reading') throw new Error(`not a reading: ${JSON.stringify(out)}`);
      return engine.onReading(out.reading);
    };
    const live: Finding[] = [];
    for (let ts = NOW - 10 * MIN; ts <= NOW; ts += 10_000) live.push(...tr(ts, 180)); // 40 % of rated
    expect(live).toEqual([]);
    // buffered in the monitor while it was offline, delivered now: 176 % would be critical at once
    expect(tr(NOW - 20 * 86_400_000, 800, NOW)).toEqual([]);
    // a redelivered copy of a reading already judged (QoS 1 after an ingest restart) is not judged twice
    const spike = tr(NOW + 10_000, 800);
    expect(spike.map((f) => [f.condition, f.active && f.severity])).toEqual([['transformer.overload', 'critical']]);
    expect(tr(NOW + 10_000, 800, NOW + 20_000)).toEqual([]);
  });
});

describe('negative, impossible and stuck values: stored as said, judged by the detectors', () => {
  /** Runs native payloads through the pipeline (received at their own time) and the detectors. */
  function run() {
    const ctx = newContext();
    const engine = new DetectionEngine([campus]);
    const findings: Finding[] = [];
    const feed = (deviceId: string, ts: number, values: Record<string, unknown>) => {
      const [out] = send(ctx, { topic: `campus/dongnan/${deviceId}/telemetry`, payload: JSON.stringify({ ts, seq: 0, ...values }) }, ts);
      if (out?.type !== 'reading') throw new Error(`not a reading: ${JSON.stringify(out)}`);
      findings.push(...engine.onReading(out.reading));
    };
    const raised = (condition: string) => findings.filter((f) => f.condition === condition && f.active);
    const cleared = (condition: string) => findings.filter((f) => f.condition === condition && !f.active);
    return { engine, feed, findings, raised, cleared };
  }

  it('a fridge at 500 °C for 3 hours: a sensor-fault ticket, never a food-safety excursion', () => {
    const r = run();
    for (let ts = NOW; ts <= NOW + 3 * HOUR; ts += MIN) r.feed('fr-chiller-1', ts, { tempC: 500 });
    expect(r.raised('fridge.sensor_fault')[0]).toMatchObject({ severity: 'minor', trade: 'office' });
    expect(r.raised('fridge.excursion')).toEqual([]);
    expect(r.raised('fridge.cumulative')).toEqual([]);
  });

  it('a transformer current of 1e9 A for 20 minutes: a measurement-fault ticket, no overload, imbalance or capacity alarm', () => {
    const r = run();
    for (let ts = NOW; ts <= NOW + 20 * MIN; ts += 10_000) r.feed('tr-main', ts, { currentA: [1e9, 200, 200], voltageV: [230, 230, 230], oilTempC: 1e9 });
    const [fault] = r.raised('transformer.sensor_fault');
    expect(fault).toMatchObject({ severity: 'minor', trade: 'electrician', title: '变压器监测读数异常' });
    expect(r.findings.filter((f) => f.condition !== 'transformer.sensor_fault')).toEqual([]);
    // back to sane readings: the fault clears, and a real overload is still caught
    r.feed('tr-main', NOW + 21 * MIN, { currentA: [200, 200, 200], voltageV: [230, 230, 230], oilTempC: 60 });
    expect(r.cleared('transformer.sensor_fault')).toHaveLength(1);
    r.feed('tr-main', NOW + 22 * MIN, { currentA: [700, 200, 200], voltageV: [230, 230, 230] }); // 154 %
    expect(r.raised('transformer.overload')[0]).toMatchObject({ severity: 'critical' });
  });

  it('a cumulative register going backwards: stored, no negative flow, no burst; it counts again once past its high mark', () => {
    const r = run();
    let total = 5000;
    const volumes: number[] = [];
    const step = (ts: number, value: number) => {
      r.feed('wm-main', ts, { totalM3: value });
      volumes.push((r.engine.snapshot().devices['wm-main']!.register as { volume: number }).volume);
    };
    for (let ts = NOW; ts < NOW + HOUR; ts += MIN) step(ts, (total += 0.02));
    step(NOW + HOUR, 4000); // 1000 m³ backwards: not a wrap, not a new meter
    for (let ts = NOW + HOUR + MIN; ts < NOW + 2 * HOUR; ts += MIN) step(ts, (total += 0.02));
    for (let i = 1; i < volumes.length; i++) expect(volumes[i]!).toBeGreaterThanOrEqual(volumes[i - 1]!);
    expect(r.raised('water.burst')).toEqual([]);
    expect(volumes.at(-1)! - volumes[0]!).toBeCloseTo(0.02 * 118, 6);
  });

  it('the same register value for 25 hours on a meter used every day: a stuck-meter ticket (docs/developing/domain-rules.md)', () => {
    const r = run();
    let total = 3000;
    const start = NOW - 8 * 24 * HOUR;
    for (let ts = start; ts < NOW; ts += 15 * MIN) r.feed('wm-main', ts, { totalM3: (total += 0.05) });
    expect(r.raised('water.register_stuck')).toEqual([]);
    for (let ts = NOW; ts <= NOW + 25 * HOUR; ts += 15 * MIN) r.feed('wm-main', ts, { totalM3: total });
    expect(r.raised('water.register_stuck')[0]).toMatchObject({ severity: 'minor', trade: 'plumber', title: '水表读数停滞' });
  });
});
