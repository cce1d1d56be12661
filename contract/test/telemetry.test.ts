import { describe, expect, it } from 'vitest';
import { parseDeviceTime, parseJsonObject, parseStatus, validateTelemetry, DEFAULT_TELEMETRY_LIMITS } from '@campus/contract';

const NOW = Date.parse('2026-11-23T08:00:00+08:00');

function check(kind: Parameters<typeof validateTelemetry>[0], body: Record<string, unknown>) {
  return validateTelemetry(kind, { ts: NOW - 1000, seq: 1, ...body }, NOW);
}

describe('validateTelemetry', () => {
  it('accepts each kind with its fields and keeps only contract fields', () => {
    const water = check('water_meter', { totalM3: 12.5, flowM3h: 0.3, status: 'LEAK burst', extra: 'x' });
    expect(water).toEqual({ ok: true, value: { ts: NOW - 1000, seq: 1, values: { totalM3: 12.5, flowM3h: 0.3, status: ['LEAK', 'BURST'] } } });
    expect(check('electric_meter', { totalKWh: 100, powerKW: 1.2 }).ok).toBe(true);
    expect(check('transformer', { currentA: [100, 110, 90], voltageV: [230, 231, 229], oilTempC: 50 }).ok).toBe(true);
    expect(check('fridge', { tempC: 4.2, doorOpen: false, defrost: true })).toMatchObject({
      ok: true,
      value: { values: { tempC: 4.2, doorOpen: false, defrost: true } },
    });
  });

  it('says which field is missing or wrong', () => {
    expect(check('water_meter', {})).toEqual({ ok: false, reason: 'totalM3 is required for a water_meter' });
    expect(check('electric_meter', { totalKWh: '100' })).toEqual({ ok: false, reason: 'totalKWh must be a finite number' });
    expect(check('electric_meter', { totalKWh: -1 })).toEqual({ ok: false, reason: 'totalKWh must be >= 0, got -1' });
    expect(check('transformer', { currentA: [1, 2], voltageV: [230, 230, 230] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('3 phase values'),
    });
    expect(check('fridge', { tempC: 3, doorOpen: 'yes' })).toEqual({ ok: false, reason: 'doorOpen must be true or false' });
  });

  it('refuses non-finite numbers, which JSON can smuggle in as 1e400', () => {
    const body = JSON.parse('{"ts": 1795363200000, "seq": 1, "tempC": 1e400}');
    expect(validateTelemetry('fridge', body, NOW)).toEqual({ ok: false, reason: 'tempC must be a finite number' });
  });

  it('does not let __proto__ through', () => {
    const body = JSON.parse(`{"ts": ${NOW}, "seq": 2, "tempC": 3, "__proto__": {"polluted": true}}`);
    const result = validateTelemetry('fridge', body, NOW);
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.value.values)).toEqual(['tempC']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds the device clock', () => {
    expect(validateTelemetry('fridge', { ts: NOW + 10 * 60_000, seq: 1, tempC: 3 }, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('ahead of the server clock'),
    });
    expect(validateTelemetry('fridge', { ts: NOW - DEFAULT_TELEMETRY_LIMITS.maxAgeMs - 1, seq: 1, tempC: 3 }, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('older than'),
    });
  });

  it('requires a non-negative integer seq', () => {
    expect(validateTelemetry('fridge', { ts: NOW, tempC: 3 }, NOW)).toEqual({ ok: false, reason: 'seq must be a non-negative integer' });
    expect(validateTelemetry('fridge', { ts: NOW, seq: 2 ** 60, tempC: 3 }, NOW).ok).toBe(false);
  });
});

describe('parseDeviceTime', () => {
  it('takes epoch ms and ISO 8601 with a zone', () => {
    expect(parseDeviceTime(NOW)).toEqual({ ok: true, value: NOW });
    expect(parseDeviceTime('2026-11-23T08:00:00+08:00')).toEqual({ ok: true, value: NOW });
    expect(parseDeviceTime('2026-11-23T00:00:00Z')).toEqual({ ok: true, value: NOW });
  });
  it('refuses seconds, zone-less ISO and junk with a reason', () => {
    expect(parseDeviceTime(1795363200)).toMatchObject({ ok: false, reason: expect.stringContaining('looks like epoch seconds') });
    expect(parseDeviceTime('2026-11-23T08:00:00')).toMatchObject({ ok: false, reason: expect.stringContaining('with a time zone') });
    expect(parseDeviceTime(undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(parseDeviceTime(1.5e12 + 0.5)).toMatchObject({ ok: false });
  });
  it('refuses a date or time the calendar does not have, instead of shifting it (Date.parse makes 30 Feb 2 Mar)', () => {
    const refused: [string, string][] = [
      ['2026-02-30T10:00:00Z', 'has day 30 of a month of 28 days'],
      ['2026-04-31T10:00:00+08:00', 'has day 31 of a month of 30 days'],
      ['2025-02-29T00:00:00Z', 'has day 29 of a month of 28 days'],
      ['2026-01-01T24:30:00Z', 'has hour 24'],
      ['2026-01-01T24:00:00Z', 'has hour 24'],
      ['2026-13-01T10:00:00Z', 'has month 13'],
      ['2026-00-10T10:00:00Z', 'has month 0'],
      ['2026-01-00T10:00:00Z', 'has day 0'],
      ['2026-01-01T10:60:00Z', 'has minute 60'],
      ['2026-01-01T10:00:61Z', 'has second 61'],
      ['2026-01-01T10:00:00+25:00', 'has zone offset +25:00'],
    ];
    for (const [text, reason] of refused) expect(parseDeviceTime(text), text).toEqual({ ok: false, reason: expect.stringContaining(reason) });
    // the ones that exist
    expect(parseDeviceTime('2024-02-29T10:00:00Z')).toEqual({ ok: true, value: Date.UTC(2024, 1, 29, 10) });
    expect(parseDeviceTime('2000-02-29T00:00:00+08:00')).toEqual({ ok: true, value: Date.UTC(2000, 1, 28, 16) });
    expect(parseDeviceTime('2026-12-31T23:59:59.999Z')).toEqual({ ok: true, value: Date.UTC(2026, 11, 31, 23, 59, 59, 999) });
    expect(parseDeviceTime('2026-04-30T08:00+0800')).toEqual({ ok: true, value: Date.UTC(2026, 3, 30) });
  });
});

describe('parseJsonObject and parseStatus', () => {
  it('refuses empty, oversized, non-JSON and non-object payloads', () => {
    expect(parseJsonObject(Buffer.alloc(0), 100)).toEqual({ ok: false, reason: 'empty payload' });
    expect(parseJsonObject(Buffer.alloc(101, 32), 100)).toMatchObject({ ok: false, reason: expect.stringContaining('over the 100-byte limit') });
    expect(parseJsonObject('{"a":', 100)).toMatchObject({ ok: false, reason: expect.stringContaining('not valid JSON') });
    expect(parseJsonObject('[1,2]', 100)).toEqual({ ok: false, reason: 'payload must be a JSON object' });
    expect(parseJsonObject('{"a":1}', 100)).toEqual({ ok: true, value: { a: 1 } });
  });
  it('refuses a payload that is not UTF-8, wherever the broken bytes are (a string of an unknown field too)', () => {
    const withBytes = (...bytes: number[]) =>
      Buffer.concat([Buffer.from('{"ts":1,"seq":1,"vendor_note":"ab'), Buffer.from(bytes), Buffer.from('","totalM3":1}')]);
    for (const bytes of [[0xff], [0xc3], [0xe6, 0x41], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]) {
      expect(parseJsonObject(withBytes(...bytes), 1000), bytes.join(',')).toEqual({
        ok: false,
        reason: expect.stringMatching(/^payload is not valid UTF-8 \(byte 3[0-9]: 0x[0-9a-f]{2}\)$/),
      });
    }
    // what toString would have made of it: accepted, with U+FFFD in place of the bytes
    expect(parseJsonObject(withBytes(0xff).toString('utf8'), 1000).ok).toBe(true);
    expect(parseJsonObject(Buffer.from('{"名称":"冷藏柜 1 号","emoji":"🧊"}'), 1000)).toEqual({ ok: true, value: { 名称: '冷藏柜 1 号', emoji: '🧊' } });
  });
  it('status is exactly online or offline', () => {
    expect(parseStatus('online')).toEqual({ ok: true, value: 'online' });
    expect(parseStatus(Buffer.from('offline\n'))).toEqual({ ok: true, value: 'offline' });
    expect(parseStatus('on').ok).toBe(false);
  });
});
