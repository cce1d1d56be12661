import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '@campus/detection';
import { at, campus, MIN, reading, run } from './harness.ts';

describe('classroom after-hours use (人走灯灭)', () => {
  it('a notice for the class after 30 min above 0.3 kW outside the timetable', () => {
    const r = run();
    const from = at('2026-11-23T22:30:00+08:00');
    for (let m = 0; m <= 40; m++) r.feed('em-g1c3', from + m * MIN, { totalKWh: 100 + m * 0.01, powerKW: 0.8 });
    const [notice] = r.raised('electricity.after_hours');
    expect(notice).toMatchObject({ severity: 'info', category: 'notice', trade: 'office', details: { classId: 'g1c3' } });
    expect(notice!.ts - from).toBe(30 * MIN);
  });

  it('nothing during lessons or evening study, nor on a building meter', () => {
    const r = run();
    for (let m = 0; m < 120; m++) r.feed('em-g1c3', at('2026-11-23T19:00:00+08:00') + m * MIN, { totalKWh: 100, powerKW: 1.5 });
    for (let m = 0; m < 120; m++) r.feed('em-dorm', at('2026-11-23T23:00:00+08:00') + m * MIN, { totalKWh: 100, powerKW: 20 });
    expect(r.raised('electricity.after_hours')).toEqual([]);
  });
});

describe('offline devices and common causes', () => {
  const T0 = at('2026-11-23T10:00:00+08:00');
  const hearAll = (engine: DetectionEngine, ts: number, except: (id: string) => boolean = () => false) => {
    for (const d of campus.devices)
      if (!except(d.id))
        engine.onReading(
          reading(
            d.id,
            ts,
            d.kind === 'water_meter'
              ? { totalM3: 1 }
              : d.kind === 'fridge'
                ? { tempC: 4 }
                : d.kind === 'transformer'
                  ? { currentA: [100, 100, 100], voltageV: [230, 230, 230] }
                  : { totalKWh: 1 },
          ),
        );
  };

  it('a silent device gets its own ticket after 3 intervals (plus grace), and it clears when heard again', () => {
    const engine = new DetectionEngine([campus]);
    for (let m = 0; m <= 10; m++) hearAll(engine, T0 + m * MIN, (id) => id === 'fr-sample' && m > 0);
    const findings = engine.tick(T0 + 10 * MIN);
    expect(findings.filter((f) => f.active).map((f) => [f.condition, f.subjectId, f.active && f.severity])).toEqual([['device.offline', 'fr-sample', 'major']]);
    hearAll(engine, T0 + 11 * MIN);
    expect(engine.tick(T0 + 11 * MIN).map((f) => [f.condition, f.subjectId, f.active])).toEqual([['device.offline', 'fr-sample', false]]);
  });

  it('a gateway outage silencing 24 classroom meters is one ticket listing them, not 24', () => {
    const engine = new DetectionEngine([campus]);
    const behind = new Set(campus.devices.filter((d) => d.gateway === 'gw-teaching').map((d) => d.id));
    const outage = T0 + 5 * MIN;
    let raised: string[] = [];
    for (let t = T0; t <= T0 + 60 * MIN; t += 30_000) {
      hearAll(engine, t, (id) => behind.has(id) && t >= outage);
      for (const f of engine.tick(t)) if (f.active) raised.push(`${f.condition}:${f.subjectId}`);
    }
    raised = [...new Set(raised)];
    expect(raised).toEqual(['gateway.outage:gw-teaching']);
    const last = engine.tick(T0 + 60 * MIN).find((f) => f.condition === 'gateway.outage')!;
    expect(last.active && (last.details!.devices as string[]).length).toBe(24);
  });

  it('a retained "offline" counts at once', () => {
    const engine = new DetectionEngine([campus]);
    hearAll(engine, T0);
    engine.status('tr-sci', 'offline', T0 + 1000);
    hearAll(engine, T0 + 3 * MIN, (id) => id === 'tr-sci');
    expect(
      engine
        .tick(T0 + 3 * MIN)
        .filter((f) => f.active)
        .map((f) => f.subjectId),
    ).toEqual(['tr-sci']);
  });
});
