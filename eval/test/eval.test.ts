/**
 * The detection evaluation, shortened for CI: eight days with the faults of its last day. The full
 * month runs with `npm run eval:detect`.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { endOfNextNight, replay, score, type LabelledFault } from '@campus/eval';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const t = (local: string) => Date.parse(`${local}:00+08:00`);
const MIN = 60_000;

describe('detection evaluation (one week of learning, then faults)', () => {
  it('catches every fault in time and raises nothing else', { timeout: 120_000 }, () => {
    const faults: LabelledFault[] = [
      {
        label: 'leak 40 L/h',
        fault: { id: 'leak', kind: 'leak', target: 'wm-dorm-3', from: t('2026-11-22T15:00'), size: { lph: 40 } },
        expect: {
          group: 'leak',
          subject: 'wm-dorm-3',
          condition: 'water.night_flow',
          clock: 'fault',
          deadline: endOfNextNight(t('2026-11-22T15:00'), campus),
          goal: 'one night',
        },
        allow: [
          { subject: 'wm-dorm-3', condition: /^water\./ },
          { subject: 'wm-main', condition: /^water\./ },
        ],
      },
      {
        label: 'overload 120 %',
        fault: { id: 'overload', kind: 'overload', target: 'tr-main', from: t('2026-11-23T10:00'), to: t('2026-11-23T10:30'), size: { pct: 120 } },
        expect: {
          group: 'overload',
          subject: 'tr-main',
          condition: 'transformer.overload',
          clock: 'fault',
          withinMs: 15 * MIN + 10_000,
          goal: '15 min + interval',
        },
        allow: [{ subject: 'tr-main', condition: /^transformer\./ }],
      },
      {
        label: 'gateway outage',
        fault: { id: 'gw', kind: 'gateway_outage', target: 'gw-dorm', from: t('2026-11-23T14:00'), to: t('2026-11-23T14:30') },
        expect: { group: 'gateway', subject: 'gw-dorm', condition: 'gateway.outage', clock: 'fault', withinMs: 5 * MIN, goal: '5 min' },
        allow: [],
      },
    ];
    const from = t('2026-11-16T00:00');
    const to = t('2026-11-24T00:00');
    const result = replay({ campus, from, to, faults: faults.map((f) => f.fault) });
    const s = score(result.tickets, faults, new Map(), campus.devices.length, 8);
    expect(s.groups.map((g) => [g.group, g.caught, g.faults, g.missed])).toEqual([
      ['leak', 1, 1, []],
      ['overload', 1, 1, []],
      ['gateway', 1, 1, []],
    ]);
    expect(s.falseTickets.map((f) => `${f.deviceId} ${f.condition} ${f.summary}`)).toEqual([]);
    expect(s.peakNewIn10Min).toBeLessThanOrEqual(10);
  });
});
