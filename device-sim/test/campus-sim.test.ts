import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { CampusSim } from '@campus/device-sim';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

/** Runs a device from `from` for `minutes`, one reading per `stepMin`. */
function run(sim: CampusSim, id: string, from: number, minutes: number, stepMin = 1) {
  const out = [];
  for (let m = 0; m <= minutes; m += stepMin) out.push(sim.reading(id, from + m * MIN));
  return out;
}

describe('simulated campus', () => {
  it('is deterministic for a seed, and differs between seeds', () => {
    const a = run(new CampusSim(campus, 7), 'em-g1c1', at('2026-11-23T08:00:00+08:00'), 60);
    const b = run(new CampusSim(campus, 7), 'em-g1c1', at('2026-11-23T08:00:00+08:00'), 60);
    const c = run(new CampusSim(campus, 8), 'em-g1c1', at('2026-11-23T08:00:00+08:00'), 60);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('classroom electricity follows the timetable: lessons, breaks, evenings, nights, weekends', () => {
    const sim = new CampusSim(campus);
    const power = (iso: string) => sim.reading('em-g2c3', at(iso)).values.powerKW as number;
    const lesson = power('2026-11-23T08:20:00+08:00');
    const lunch = power('2026-11-23T12:30:00+08:00');
    const evening = power('2026-11-23T19:30:00+08:00');
    const night = power('2026-11-24T02:00:00+08:00');
    const saturday = power('2026-11-28T10:00:00+08:00');
    expect(lesson).toBeGreaterThan(0.6);
    expect(evening).toBeGreaterThan(0.4);
    expect(lunch).toBeLessThan(lesson / 2);
    expect(night).toBeLessThan(0.1);
    expect(saturday).toBeLessThan(0.1);
  });

  it('holds no lessons on a holiday', () => {
    const sim = new CampusSim(campus);
    // 2026-10-02 is in the 国庆节 holiday; same weekday and time on a school day has a lesson
    for (const klass of ['em-g1c1', 'em-g3c8']) {
      expect(sim.reading(klass, at('2026-10-02T08:20:00+08:00')).values.powerKW as number).toBeLessThan(0.1);
    }
    expect(new CampusSim(campus).reading('em-g1c1', at('2026-10-09T08:20:00+08:00')).values.powerKW as number).toBeGreaterThan(0.6);
  });

  it('registers only grow, and integrate the power', () => {
    const sim = new CampusSim(campus);
    const readings = run(sim, 'em-g1c1', at('2026-11-23T00:00:00+08:00'), 24 * 60, 5);
    const totals = readings.map((r) => r.values.totalKWh as number);
    for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeGreaterThanOrEqual(totals[i - 1]!);
    const day = totals.at(-1)! - totals[0]!;
    expect(day).toBeGreaterThan(5); // ~9 lesson hours at ~0.9 kW plus evening study
    expect(day).toBeLessThan(20);
  });

  it('a transformer carries the sum of the meters it feeds, split over three phases', () => {
    const sim = new CampusSim(campus);
    const ts = at('2026-11-23T10:30:00+08:00');
    const fed = campus.devices.filter((d) => d.feeder === 'tr-main' && d.kind === 'electric_meter');
    const meters = fed.reduce((sum, d) => sum + (sim.reading(d.id, ts).values.powerKW as number), 0);
    const tr = sim.reading('tr-main', ts).values as { powerKW: number; currentA: number[]; voltageV: number[] };
    expect(tr.powerKW).toBeGreaterThan(meters);
    expect(tr.powerKW).toBeLessThan(meters * 1.1 + 315 * 0.04 + 1);
    const [a, b, c] = tr.currentA as [number, number, number];
    expect(Math.max(a, b, c)).toBeGreaterThan(Math.min(a, b, c));
    const apparentKVA = tr.currentA.reduce((s, i, k) => s + (i * tr.voltageV[k]!) / 1000, 0);
    expect(apparentKVA).toBeGreaterThan(tr.powerKW); // power factor below 1
  });

  it('dormitory water peaks after 晚自习 and keeps a small night flow (urinals); the main meter sees it all', () => {
    const sim = new CampusSim(campus);
    const flow = (id: string, iso: string) => sim.reading(id, at(iso)).values.flowM3h as number;
    const night = flow('wm-dorm-2', '2026-11-24T03:00:00+08:00');
    const peak = flow('wm-dorm-2', '2026-11-24T21:45:00+08:00');
    expect(night).toBeGreaterThan(0.005);
    expect(night).toBeLessThan(0.05);
    expect(peak).toBeGreaterThan(2);
    const others = campus.devices.filter((d) => d.kind === 'water_meter' && d.usage !== 'campus');
    const ts = at('2026-11-24T22:00:00+08:00');
    const sum = others.reduce((s, d) => s + (sim.reading(d.id, ts).values.flowM3h as number), 0);
    expect(sim.reading('wm-main', ts).values.flowM3h as number).toBeGreaterThan(sum);
  });

  it('fridges cycle around their setpoint; freezers defrost and say so', () => {
    const sim = new CampusSim(campus);
    const day = run(sim, 'fr-chiller-1', at('2026-11-24T00:00:00+08:00'), 24 * 60);
    const temps = day.map((r) => r.values.tempC as number);
    const inRange = temps.filter((t) => t >= 0 && t <= 8).length / temps.length;
    expect(inRange).toBeGreaterThan(0.95);
    expect(Math.max(...temps) - Math.min(...temps)).toBeGreaterThan(2); // it cycles

    const freezer = run(sim, 'fr-freezer-1', at('2026-11-24T00:00:00+08:00'), 24 * 60);
    const defrosting = freezer.filter((r) => r.values.defrost === true);
    expect(defrosting.length).toBeGreaterThanOrEqual(3 * 20); // 3 cycles of 25 min a day
    expect(Math.max(...defrosting.map((r) => r.values.tempC as number))).toBeGreaterThan(-12);
    const normal = freezer.filter((r) => r.values.defrost === false).map((r) => r.values.tempC as number);
    expect(normal.filter((t) => t <= -12).length / normal.length).toBeGreaterThan(0.9);
  });

  it('a simulated week of the whole campus, read every 5 minutes, runs without I/O', () => {
    const sim = new CampusSim(campus);
    const start = at('2026-11-23T00:00:00+08:00');
    let n = 0;
    for (let m = 0; m < 7 * 24 * 60; m += 5) for (const d of campus.devices) (sim.reading(d.id, start + m * MIN), n++);
    expect(n).toBe(2016 * campus.devices.length);
  });

  it('restores registers from a snapshot', () => {
    const a = new CampusSim(campus);
    a.reading('wm-main', at('2026-11-23T00:00:00+08:00'));
    a.reading('wm-main', at('2026-11-23T12:00:00+08:00'));
    const b = new CampusSim(campus);
    b.restore(a.snapshot());
    const next = at('2026-11-23T12:01:00+08:00');
    expect(b.reading('wm-main', next).values.totalM3).toBe(a.reading('wm-main', next).values.totalM3);
  });
});
