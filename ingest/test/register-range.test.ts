/**
 * A register beyond its digits never reaches the store: the pipeline refuses it with its reason
 * (what detection makes of an implausible jump within the digits is detection/test/register-fault.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DeviceRegistry, pipelineContext, processMessage } from '@campus/ingest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const at = (iso: string) => Date.parse(iso);

describe('a register beyond its digits never reaches the store', () => {
  const ctx = pipelineContext(new DeviceRegistry([campus]));
  const NOW = at('2026-11-23T10:00:00+08:00');
  const send = (topic: string, body: Record<string, unknown>) => processMessage(topic, Buffer.from(JSON.stringify(body)), NOW, ctx);

  it('native water: 7055 is a reading, 1e15 a dead letter with its reason, 10 a reading', () => {
    const topic = 'campus/dongnan/wm-main/telemetry';
    expect(send(topic, { ts: NOW - 60_000, seq: 1, totalM3: 7055 })).toEqual([expect.objectContaining({ type: 'reading' })]);
    expect(send(topic, { ts: NOW - 30_000, seq: 2, totalM3: 1e15 })).toEqual([
      {
        type: 'rejected',
        reason: "totalM3 1000000000000000 is beyond what the meter's register can show (registerMaxM3 99999999 in the campus file): not a reading",
      },
    ]);
    expect(send(topic, { ts: NOW, seq: 3, totalM3: 10 })).toEqual([expect.objectContaining({ type: 'reading' })]);
  });

  it('native electricity and an off-the-shelf plug: 1e15 kWh refused, the next good value still a reading', () => {
    expect(send('campus/dongnan/em-g1c1/telemetry', { ts: NOW, seq: 1, totalKWh: 1e15 })).toEqual([
      { type: 'rejected', reason: expect.stringContaining('totalKWh 1000000000000000 is beyond') },
    ]);
    expect(send('campus/dongnan/tr-main/telemetry', { ts: NOW, seq: 1, currentA: [1, 1, 1], voltageV: [230, 230, 230], totalKWh: 1e9 })).toEqual([
      { type: 'rejected', reason: expect.stringContaining('registerMaxKWh 99999999') },
    ]);
  });
});
