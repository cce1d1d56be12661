/**
 * transformer.near_capacity over a school year of 15-minute load (the demo calendar: the spring
 * term to 07-03, the summer vacation, the autumn term from 09-01), replayed through the engine,
 * its state saved as detector_state JSON and restored every Sunday night, and every finding
 * applied to a real ticket service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DetectionEngine } from '@campus/detection';
import { TicketService, TicketStore, type Finding, type Raise } from '@campus/repairs';
import { createLog, openDb } from '@campus/runtime';
import { campus, HOUR, MIN, reading } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'near-capacity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// tr-main: 315 kVA at 400 V -> 454.66 A rated per phase
const RATED = 454.66;
const DAY = 24 * HOUR;
const KEY = 'transformer.near_capacity';
const dateOf = (ts: number) => campus.calendar.local(ts).date;

/** A deterministic pseudo-random number in [0, 1) from a date (the day's weather, so to speak). */
const noise = (date: string, salt = 0): number => {
  let h = 2166136261 ^ salt;
  for (const c of date) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
};

/**
 * The daily peak of the worst phase, % of rated, as a real campus substation has it: 55-75 % on
 * school days, low at weekends and in the vacation (but a summer camp at 85 % in the vacation,
 * which is no school day), and three hot spells on school days:
 *  - A: 06-08..06-12, 82-88 % (one week);
 *  - B: 06-29..07-03, 81-87 % (the last week of term; a cool week and the 端午 holiday between);
 *  - C: 09-07..09-24 (09-25 is 中秋节), a larger load, 88-97 %, three weeks with a 78 % day in each (a rainy day)
 *    and the monitor silent on Thursday 09-17 and Friday 09-18 (a gateway down).
 */
function dailyPeak(date: string): number | null {
  if (date === '2026-09-17' || date === '2026-09-18') return null;
  const type = campus.calendar.dayType(date);
  const n = noise(date);
  if (type === 'vacation') return date >= '2026-07-20' && date <= '2026-07-24' ? 85 + n * 3 : 25 + n * 10;
  if (type !== 'school_day') return 30 + n * 10;
  if (date >= '2026-06-08' && date <= '2026-06-12') return 82 + n * 6;
  if (date >= '2026-06-29' && date <= '2026-07-03') return 81 + n * 6;
  if (['2026-09-09', '2026-09-15', '2026-09-22'].includes(date)) return 78;
  if (date >= '2026-09-07' && date <= '2026-09-25') return 88 + n * 9;
  return 55 + n * 20;
}

const phases = (worstPct: number) => ({
  currentA: [(RATED * worstPct) / 100, (RATED * worstPct * 0.9) / 100, (RATED * worstPct * 0.85) / 100],
  voltageV: [230, 230, 230],
});

/** 15-minute worst-phase load of a day with a peak: a night floor, the peak from 11:00 to 15:00. */
const loadAt = (peak: number, minuteOfDay: number): number => {
  const h = minuteOfDay / 60;
  if (h >= 11 && h < 15) return peak - (h >= 13 ? 2 : 0) * noise(String(minuteOfDay), 7);
  if (h >= 7 && h < 22) return peak * 0.7;
  return Math.min(peak, 20);
};

function replay(from: string, to: string) {
  const service = new TicketService(new TicketStore(openDb(join(dir, `year-${from}.db`))), [campus], createLog('test'));
  let engine = new DetectionEngine([campus]);
  const findings: Finding[] = [];
  const start = Date.parse(`${from}T00:00:00+08:00`);
  const end = Date.parse(`${to}T00:00:00+08:00`);
  for (let day = start; day < end; day += DAY) {
    const date = dateOf(day);
    const peak = dailyPeak(date);
    if (peak !== null) {
      for (let m = 0; m < 24 * 60; m += 15) {
        const out = engine.onReading(reading('tr-main', day + m * MIN, phases(loadAt(peak, m))));
        const mine = out.filter((f) => f.condition === KEY);
        findings.push(...mine);
        service.apply(mine);
      }
    }
    const next = day + DAY;
    const tick = engine.tick(next - 1).filter((f) => f.condition === KEY);
    findings.push(...tick);
    service.apply(tick);
    // a restart every Sunday night: the state as detector_state keeps it (JSON), into a new engine
    if (campus.calendar.local(day).weekday === 7) {
      const saved = JSON.parse(JSON.stringify(engine.snapshot()));
      engine = new DetectionEngine([campus]);
      engine.restore(saved);
    }
  }
  return { findings, service };
}

describe('near capacity over a school year', () => {
  const { findings, service } = replay('2026-03-01', '2027-03-01');
  const raised = findings.filter((f): f is Raise => f.active);
  const cleared = findings.filter((f) => !f.active);
  const quoted = (f: Raise) => f.details!.days as [string, number][];

  it('three hot spells: exactly three notices, each quoting the days and peaks of its own week', () => {
    // raised when the third hot school day has ended (at the first reading of the next day)
    expect(raised.map((f) => dateOf(f.at))).toEqual(['2026-06-11', '2026-07-02', '2026-09-11']);
    expect(raised.map((f) => quoted(f).map(([d]) => d))).toEqual([
      ['2026-06-08', '2026-06-09', '2026-06-10'],
      ['2026-06-29', '2026-06-30', '2026-07-01'],
      ['2026-09-07', '2026-09-08', '2026-09-10'],
    ]);
    // each with its own figures: the larger September load is quoted as it was, not June's
    for (const [d, v] of quoted(raised[2]!)) expect(v, d).toBeCloseTo(dailyPeak(d)!, 2);
    expect(Math.min(...quoted(raised[2]!).map(([, v]) => v))).toBeGreaterThan(88);
    for (const f of raised) for (const [d, v] of quoted(f)) expect(f.summary).toContain(`${d.slice(5)} ${v.toFixed(0)}%`);
  });

  it('cleared once after each spell (a school day without readings does not end one), nothing raised in the vacation', () => {
    // C: 09-25 is 中秋节, so its last hot school day is 09-24; 09-17/18 sent nothing and 09-22 was cool
    expect(cleared.map((f) => dateOf(f.at))).toEqual(['2026-06-18', '2026-07-09', '2026-09-29']);
    const inVacation = findings.filter((f) => f.active && campus.calendar.dayType(dateOf(f.at)) === 'vacation');
    expect(inVacation).toEqual([]);
  });

  it('one ticket for the office, its three occurrences in the audit trail with their own figures', () => {
    const tickets = service.list().filter((t) => t.condition === KEY);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ occurrences: 3, trade: 'office', summary: raised[2]!.summary });
    const trail = service.get(tickets[0]!.id)!.audit;
    expect(trail.filter((e) => e.action !== 'cleared').map((e) => [e.action, e.note])).toEqual([
      ['opened', raised[0]!.summary],
      ['recurred', raised[1]!.summary],
      ['recurred', raised[2]!.summary],
    ]);
  });
});

describe('near capacity: state saved by the previous version', () => {
  it('its hot days (saved as hotDays) still count after a restart', () => {
    const engine = new DetectionEngine([campus]);
    const saved = JSON.parse(JSON.stringify(engine.snapshot()));
    saved.devices['tr-main'].states[KEY] = { date: '2026-06-09', peak: 87, hotDays: [['2026-06-08', 86]], raised: false };
    engine.restore(saved);
    const wednesday = Date.parse('2026-06-10T00:00:00+08:00');
    const out: Finding[] = [];
    for (let m = 0; m < 2 * 24 * 60; m += 15) out.push(...engine.onReading(reading('tr-main', wednesday + m * MIN, phases(loadAt(85, m % (24 * 60))))));
    const [notice] = out.filter((f): f is Raise => f.condition === KEY && f.active);
    expect(notice!.details!.days).toEqual([
      ['2026-06-08', 86],
      ['2026-06-09', 87],
      ['2026-06-10', expect.closeTo(85, 2)],
    ]);
  });
});
