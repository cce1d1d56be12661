/**
 * The detection evaluation, shortened for CI: eight days with the faults of its last day. The full
 * month runs with `npm run eval:detect`.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { gatewayOutageFault, leakFault, overloadFault, replay, score, type LabelledFault } from '@campus/eval';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const t = (local: string) => Date.parse(`${local}:00+08:00`);

describe('detection evaluation (one week of learning, then faults)', () => {
  it('catches every fault in time and raises nothing else', { timeout: 120_000 }, () => {
    const faults: LabelledFault[] = [
      leakFault(campus, 'wm-dorm-3', '2026-11-22T15:00', undefined, 40),
      overloadFault('tr-main', '2026-11-23T10:00', '2026-11-23T10:30', 120),
      gatewayOutageFault('gw-dorm', '2026-11-23T14:00', '2026-11-23T14:30'),
    ];
    const from = t('2026-11-16T00:00');
    const to = t('2026-11-24T00:00');
    const result = replay({ campus, from, to, faults: faults.map((f) => f.fault) });
    const s = score(result.tickets, faults, new Map(), campus.devices.length, 8);
    expect(s.groups.map((g) => [g.group, g.caught, g.faults, g.missed])).toEqual([
      ['leak >= 30 L/h', 1, 1, []],
      ['overload', 1, 1, []],
      ['gateway outage', 1, 1, []],
    ]);
    expect(s.falseTickets.map((f) => `${f.deviceId} ${f.condition} ${f.summary}`)).toEqual([]);
    expect(s.peakNewIn10Min).toBeLessThanOrEqual(10);
  });
});
