/**
 * The shapes the detection evaluation needs from the simulator (eval/src/shapes.ts): real night use
 * of a dormitory floor, a leak growing over weeks, a freezer's long jittered defrost cycle, and
 * the air conditioning of a hot spell on the main transformer.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { CampusSim, FaultBook, type Fault, type FridgeModel } from '@campus/device-sim';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const at = (local: string) => Date.parse(`${local}:00+08:00`);
const MIN = 60_000;
const HOUR = 60 * MIN;

function simWith(faults: Fault[]): CampusSim {
  const sim = new CampusSim(campus);
  sim.faults.set(faults);
  return sim;
}

/** m³ a meter registers between two local times, read every minute */
function volume(sim: CampusSim, id: string, from: string, to: string): number {
  let first: number | undefined;
  let last = 0;
  for (let ts = at(from); ts <= at(to); ts += MIN) {
    last = sim.reading(id, ts).values.totalM3 as number;
    first ??= last;
  }
  return last - first!;
}

describe('simulated shapes of the real world', () => {
  it('night use: a dormitory floor flushes toilets at night, differently each night, and not in the vacation', () => {
    const use: Fault = { id: 'n', kind: 'night_use', target: 'wm-dorm-2', from: at('2026-01-01T00:00') };
    const quiet = simWith([]);
    const busy = simWith([use]);
    const nights = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'].map((d) => {
      const q = volume(quiet, 'wm-dorm-2', `${d}T01:00`, `${d}T05:00`);
      const b = volume(busy, 'wm-dorm-2', `${d}T01:00`, `${d}T05:00`);
      return (b - q) * 1000;
    });
    // ~1.8 flushes an hour x 4 h x 6 L, scaled 0.4-1.6 by the night, plus a dripping tap
    for (const litres of nights) expect(litres).toBeGreaterThan(5);
    for (const litres of nights) expect(litres).toBeLessThan(150);
    expect(new Set(nights.map((l) => Math.round(l))).size).toBeGreaterThan(1);
    // the winter vacation (after the term ends 2027-01-22): nobody there
    const vq = volume(simWith([]), 'wm-dorm-2', '2027-02-01T01:00', '2027-02-01T05:00');
    const vb = volume(simWith([use]), 'wm-dorm-2', '2027-02-01T01:00', '2027-02-01T05:00');
    expect(vb).toBeCloseTo(vq, 6);
  });

  it('a leak growing over six weeks is linear: half its size after three weeks, its size after six', () => {
    const book = new FaultBook();
    const from = at('2026-09-14T14:00');
    book.set([{ id: 'l', kind: 'leak', target: 'wm-dorm-3', from, size: { lph: 30, rampHours: 6 * 7 * 24 } }]);
    expect(book.extraFlowM3h('wm-dorm-3', from + 21 * 24 * HOUR) * 1000).toBeCloseTo(15, 6);
    expect(book.extraFlowM3h('wm-dorm-3', from + 42 * 24 * HOUR) * 1000).toBeCloseTo(30, 6);
    expect(book.extraFlowM3h('wm-dorm-3', from + 60 * 24 * HOUR) * 1000).toBeCloseTo(30, 6);
  });

  it('a freezer defrost cycle: every 24 h with hours of jitter, warming to about +3 °C, unreported unless said', () => {
    const from = at('2026-10-05T01:00');
    const cycle: Fault = { id: 'd', kind: 'defrost_cycle', target: 'fr-freezer-1', from, size: { everyHours: 24, minutes: 45, jitterHours: 2, peakC: 3 } };
    const sim = simWith([cycle]);
    const windows = (sim.models.get('fr-freezer-1') as FridgeModel).defrosts(from, from + 10 * 24 * HOUR);
    expect(windows.length).toBeGreaterThanOrEqual(9);
    expect(windows.length).toBeLessThanOrEqual(11);
    const gaps = windows.slice(1).map((w, i) => (w.start - windows[i]!.start) / HOUR);
    for (const g of gaps) expect(Math.abs(g - 24)).toBeLessThanOrEqual(4);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(1); // jitter of hours, not minutes
    for (const w of windows) expect(w.end - w.start).toBe(45 * MIN);

    const temps: { ts: number; t: number; defrost: unknown }[] = [];
    for (let ts = from; ts < from + 4 * 24 * HOUR; ts += 30_000) {
      const v = sim.reading('fr-freezer-1', ts).values;
      temps.push({ ts, t: v.tempC as number, defrost: v.defrost });
    }
    expect(temps.every((r) => r.defrost === undefined)).toBe(true); // the unit does not say so
    for (const w of windows.slice(0, 3)) {
      const peak = Math.max(...temps.filter((r) => r.ts >= w.start && r.ts < w.end + 5 * MIN).map((r) => r.t));
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThan(4);
    }
    // between defrosts the freezer holds its setpoint (-20 ± 2)
    const between = temps.filter((r) => windows.every((w) => r.ts < w.start || r.ts > w.end + 90 * MIN)).map((r) => r.t);
    expect(Math.max(...between)).toBeLessThan(-17);

    const reported = simWith([{ ...cycle, size: { ...cycle.size, reported: 1 } }]);
    const w = windows[1]!;
    reported.reading('fr-freezer-1', w.start - 10 * MIN);
    expect(reported.reading('fr-freezer-1', w.start + 10 * MIN).values.defrost).toBe(true);
    expect(reported.reading('fr-freezer-1', w.end + 10 * MIN).values.defrost).toBe(false);
  });

  it('a hot spell adds air conditioning on school afternoons (to above 80 % of rated), a seventh of it in the vacation', () => {
    const ratedA = (315 * 1000) / (Math.sqrt(3) * 400);
    const spell = (from: string, to: string): Fault => ({
      id: `h-${from}`,
      kind: 'hot_spell',
      target: 'tr-main',
      from: at(from),
      to: at(to),
      size: { pct: 35 },
    });
    /** the worst phase's peak, % of rated, read every minute from `from` for `hours` */
    const peak = (faults: Fault[], from: string, hours: number) => {
      const sim = simWith(faults);
      let p = 0;
      for (let ts = at(from); ts < at(from) + hours * HOUR; ts += MIN) p = Math.max(p, Math.max(...(sim.reading('tr-main', ts).values.currentA as number[])));
      return (100 * p) / ratedA;
    };
    const june = [spell('2026-06-22T00:00', '2026-06-27T00:00')];
    const july = [spell('2026-07-13T00:00', '2026-08-01T00:00')];
    // a Tuesday in term: the summer peak alone stays below 80 %, the hot spell takes it above
    const before = peak([], '2026-06-23T08:00', 10);
    const during = peak(june, '2026-06-23T08:00', 10);
    expect(before).toBeLessThan(65);
    expect(during).toBeGreaterThan(80);
    // nothing at night, and a seventh of it in the vacation
    expect(Math.abs(peak(june, '2026-06-23T00:00', 6) - peak([], '2026-06-23T00:00', 6))).toBeLessThan(1);
    const vac = peak(july, '2026-07-21T08:00', 10) - peak([], '2026-07-21T08:00', 10);
    expect(vac).toBeGreaterThan(3);
    expect(vac).toBeLessThan(8);
  });
});
