/** defineDetector: typed thresholds, campus-file overrides checked against the definition, saved state read back. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { found, raise } from '@campus/repairs';
import { DETECTORS, DetectionEngine, defineDetector, type EngineSnapshot } from '@campus/detection';
import { fridgeExcursion } from '../src/detectors/fridge-excursion.ts';
import { transformerOverload } from '../src/detectors/transformer-load.ts';
import { transformerOilTemp } from '../src/detectors/transformer-oil.ts';
import { at, campus, campusWith, HOUR, MIN, reading, run, waterMeter } from './harness.ts';

const T0 = at('2026-11-23T09:00:00+08:00');

describe('defineDetector', () => {
  it('infers the thresholds from their defaults; optional ones are typed as possibly unset', () => {
    expectTypeOf(transformerOverload.defaults.sustainedMin).toEqualTypeOf<number>();
    expectTypeOf(fridgeExcursion.defaults.maxC).toEqualTypeOf<number | undefined>();
    // @ts-expect-error: not a threshold of transformer.overload
    void transformerOverload.defaults.sustainedMinutes;
    expect(transformerOverload.defaults).toMatchObject({ sustainedPct: 100, sustainedMin: 15 });
    expect(fridgeExcursion.optional).toEqual(['minC', 'maxC']);
    expect(Object.isFrozen(transformerOverload.defaults)).toBe(true);
  });

  it('every detector in the registry has a unique key and only numbers for defaults', () => {
    expect(new Set(DETECTORS.map((d) => d.key)).size).toBe(DETECTORS.length);
    for (const d of DETECTORS) for (const v of Object.values(d.defaults)) expect(typeof v, d.key).toBe('number');
  });
});

describe('campus-file thresholds, checked against the definitions', () => {
  it('an optional threshold is accepted where it is defined, refused where it is not', () => {
    const ok = campusWith((doc) => {
      doc.devices.find((d: any) => d.id === 'fr-chiller-1').thresholds = { 'fridge.excursion': { maxC: 6 } };
    });
    const r = run(ok);
    for (let m = 0; m < 40; m++) r.feed('fr-chiller-1', T0 + m * MIN, { tempC: 7 }); // within 0-8 °C, beyond 6
    expect(r.raised('fridge.excursion')[0]!.ts - T0).toBe(30 * MIN);

    const bad = campusWith((doc) => {
      doc.devices.find((d: any) => d.id === 'fr-chiller-1').thresholds = { 'fridge.door_open': { maxC: 6 } };
    });
    expect(() => run(bad)).toThrow(/devices\[\d+\]\.thresholds\.fridge\.door_open\.maxC: not a threshold of fridge\.door_open \(noticeMin, ticketMin\)/);
  });

  it("a fridge's limits set once on fridge.excursion apply to fridge.cumulative too; set on cumulative they are its own", () => {
    // nine 8-minute spells at 7 °C in a morning (each too short for an excursion or a defrost): 72 min out of range, if 6 °C is the limit
    const spells = (r: ReturnType<typeof run>) => {
      for (let spell = 0; spell < 9; spell++)
        for (let m = 0; m < 28; m++) r.feed('fr-chiller-1', T0 + (spell * 28 + m) * MIN, { tempC: m < 8 ? 7 : 4 });
      return r.raised('fridge.cumulative');
    };
    const once = campusWith((doc) => {
      doc.detection = { profiles: { cold: { 'fridge.excursion': { maxC: 6 } } } };
      doc.devices.find((d: any) => d.id === 'fr-chiller-1').profile = 'cold';
    });
    expect(spells(run(once))).toHaveLength(1);
    const own = campusWith((doc) => {
      doc.detection = { profiles: { cold: { 'fridge.excursion': { maxC: 6 }, 'fridge.cumulative': { maxC: 8 } } } };
      doc.devices.find((d: any) => d.id === 'fr-chiller-1').profile = 'cold';
    });
    expect(spells(run(own))).toEqual([]);
    expect(spells(run(campusWith(() => {})))).toEqual([]);
  });

  it('lists every problem by path, in profiles too, with the error code', () => {
    const bad = campusWith((doc) => {
      doc.detection = { defaults: { 'water.burst': { factr: 3 } }, profiles: { cold: { 'fridge.excursion': { minC: 0, chillerMinutes: 20 } } } };
    });
    let error: (Error & { code?: string; problems?: string[] }) | undefined;
    try {
      run(bad);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.code).toBe('CAMPUS_ERR_CONFIG');
    expect(error?.problems).toEqual([
      expect.stringMatching(/^detection\.defaults\.water\.burst\.factr: not a threshold of water\.burst/),
      expect.stringMatching(/^detection\.profiles\.cold\.fridge\.excursion\.chillerMinutes: not a threshold of fridge\.excursion \(.*minC, maxC\)$/),
    ]);
  });

  it('a threshold of the wrong type is refused by path (by the campus schema, or by the engine for a campus built otherwise)', () => {
    expect(() =>
      campusWith((doc) => {
        doc.devices[0].thresholds = { 'transformer.overload': { sustainedMin: 'five' } };
      }),
    ).toThrow(/devices\[0\]\.thresholds\.transformer\.overload\.sustainedMin/);
    const odd = { ...campus, detection: { defaults: { 'transformer.overload': { sustainedMin: Number.POSITIVE_INFINITY } }, profiles: {} } };
    expect(() => new DetectionEngine([odd])).toThrow(/detection\.defaults\.transformer\.overload\.sustainedMin: must be a finite number, not Infinity/);
  });
});

describe('saved detector state', () => {
  /** a day of a few devices, with tickets open: a state worth saving */
  function busyDay() {
    const r = run();
    waterMeter(r, 'wm-dorm-2', T0, T0 + 6 * HOUR, MIN, () => 0.5);
    for (let m = 0; m < 40; m++) {
      r.feed('fr-chiller-1', T0 + m * MIN, { tempC: 11, doorOpen: m < 5 });
      r.feed('tr-main', T0 + m * MIN, { currentA: [560, 500, 480], voltageV: [230, 230, 230], oilTempC: 88 });
    }
    return r;
  }

  it('restores what it saved, field for field, and carries on as if never stopped', () => {
    const straight = busyDay();
    const snap: EngineSnapshot = JSON.parse(JSON.stringify(straight.engine.snapshot()));
    const restarted = new DetectionEngine([campus]);
    restarted.restore(snap);
    expect(restarted.snapshot()).toEqual(snap);
    const next = { tempC: 4, doorOpen: false };
    expect(restarted.onReading(reading('fr-chiller-1', T0 + 40 * MIN, next))).toEqual(straight.engine.onReading(reading('fr-chiller-1', T0 + 40 * MIN, next)));
  });

  it('reads state saved by the detectors before defineDetector (renamed fields), and starts clean on state it cannot read', () => {
    const engine = new DetectionEngine([campus]);
    const lastTs = T0 + 14 * MIN;
    const old = (states: Record<string, unknown>) => ({
      register: { lastRaw: null, lastTs: null, volume: 0, movedAt: null, replacements: 0, rollovers: 0 },
      lastTs: null,
      states,
    });
    engine.restore({
      version: 1,
      presence: {},
      devices: {
        'tr-main': old({ 'transformer.overload': { over: T0, heavy: null, lastTs, raised: false }, 'transformer.oil_temp': 'garbage' }),
        'wm-dorm-2': old({
          'water.burst': { samples: [], peaks: [], overSince: T0, lastTs, raised: true },
          'water.continuous_flow': { samples: [], dailyQuiet: [], flowingSince: T0, lastTs, raised: 'minor' },
          'water.meter_alarm': { raised: 'LEAK' },
          'water.night_flow': { date: null, samples: [], evaluated: null, history: [], alarming: true },
        }),
      },
    });
    const states = engine.snapshot().devices;
    expect(states['tr-main']!.states['transformer.overload']).toMatchObject({ since: T0, lastTs, raised: false });
    expect(states['tr-main']!.states['transformer.overload']).not.toHaveProperty('over');
    expect(states['tr-main']!.states['transformer.oil_temp']).toEqual(transformerOilTemp.init());
    const wm = states['wm-dorm-2']!.states;
    expect(wm['water.burst']).toMatchObject({ since: T0, raised: true });
    expect(wm['water.continuous_flow']).toMatchObject({ since: T0, raised: true });
    expect(wm['water.meter_alarm']).toMatchObject({ raised: true });
    expect(wm['water.night_flow']).toMatchObject({ raised: true });

    // the overload run saved as `over` goes on: 15 min after it began, a ticket
    const findings = engine.onReading(reading('tr-main', T0 + 15 * MIN, { currentA: [560, 500, 480], voltageV: [230, 230, 230] }));
    expect(findings).toEqual([expect.objectContaining({ condition: 'transformer.overload', active: true, severity: 'major' })]);
    // the meter's LEAK saved as a flag clears when the meter stops saying so
    expect(engine.onReading(reading('wm-dorm-2', T0, { totalM3: 1000, status: [] }))).toContainEqual(
      expect.objectContaining({ condition: 'water.meter_alarm', active: false }),
    );
  });
});

describe('onTick', () => {
  it('a detector with onTick is called on the clock tick with its own state and thresholds', () => {
    const quiet = defineDetector({
      key: 'test.quiet',
      kinds: ['fridge'],
      params: { afterMin: 5 },
      init: (): { heardAt: number | null } => ({ heardAt: null }),
      onReading: (state, obs) => found({ heardAt: obs.reading.ts }),
      onTick(state, now, ctx) {
        const silent = state.heardAt !== null && now - state.heardAt >= ctx.params.afterMin * MIN;
        return found(
          state,
          ...(silent ? [raise(this.key, ctx.device.id, now, { severity: 'info', trade: 'office', category: 'notice', title: 'quiet', summary: 'quiet' })] : []),
        );
      },
    });
    const engine = new DetectionEngine([campus], [quiet]);
    engine.onReading(reading('fr-chiller-1', T0, { tempC: 4 }));
    expect(engine.tick(T0 + 4 * MIN).filter((f) => f.condition === 'test.quiet')).toEqual([]);
    expect(engine.tick(T0 + 5 * MIN).filter((f) => f.condition === 'test.quiet')).toEqual([
      expect.objectContaining({ subjectId: 'fr-chiller-1', active: true }),
    ]);
  });
});
