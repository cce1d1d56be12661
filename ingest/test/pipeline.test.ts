import { describe, expect, it } from 'vitest';
import { DeviceRegistry, pipelineContext, processMessage } from '@campus/ingest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';

const ctx = pipelineContext(new DeviceRegistry([loadCampus(DEMO_CAMPUS_FILE)]));
const NOW = Date.parse('2026-11-23T08:00:00+08:00');
const msg = (topic: string, body: unknown) => processMessage(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), NOW, ctx)[0];

describe('ingest pipeline: decode -> validate', () => {
  it('turns a native telemetry message into a reading of the registered kind', () => {
    const out = msg('campus/dongnan/fr-freezer-1/telemetry', { ts: NOW - 500, seq: 9, tempC: -19.5, defrost: false });
    expect(out).toEqual({
      type: 'reading',
      reading: {
        siteId: 'dongnan',
        deviceId: 'fr-freezer-1',
        kind: 'fridge',
        ts: NOW - 500,
        seq: 9,
        receivedAt: NOW,
        values: { tempC: -19.5, defrost: false },
      },
    });
  });

  it('turns a status message into a status change', () => {
    expect(msg('campus/dongnan/wm-main/status', 'offline')).toEqual({ type: 'status', status: { deviceId: 'wm-main', status: 'offline', at: NOW } });
  });

  it('rejects with a reason: unknown device, wrong site, malformed JSON, wrong fields, foreign topics', () => {
    expect(msg('campus/dongnan/wm-ghost/telemetry', { ts: NOW, seq: 1, totalM3: 1 })).toEqual({
      type: 'rejected',
      reason: 'unknown device "wm-ghost" (not in the campus file)',
    });
    expect(msg('campus/xinan/wm-main/telemetry', { ts: NOW, seq: 1, totalM3: 1 })).toEqual({
      type: 'rejected',
      reason: 'device "wm-main" belongs to site "dongnan", not "xinan"',
    });
    expect(msg('campus/dongnan/wm-main/telemetry', '{"ts": 1,')).toMatchObject({ type: 'rejected', reason: expect.stringContaining('not valid JSON') });
    expect(msg('campus/dongnan/wm-main/telemetry', { ts: NOW, seq: 1, tempC: 4 })).toEqual({
      type: 'rejected',
      reason: 'totalM3 is required for a water_meter',
    });
    expect(msg('home/kitchen/plug', { power: 3 })).toMatchObject({ type: 'rejected', reason: expect.stringContaining('no adapter') });
  });

  it('never throws, whatever the bytes', () => {
    const junk = [Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('null'), Buffer.from('"x"'), Buffer.from('{"ts":{"$gt":1}}'), Buffer.from('['.repeat(5000))];
    for (const payload of junk)
      expect(processMessage('campus/dongnan/wm-main/telemetry', payload, NOW, ctx)).toEqual([{ type: 'rejected', reason: expect.any(String) }]);
  });
});
