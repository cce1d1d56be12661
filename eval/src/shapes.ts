/**
 * The real world's shapes (issue 18): cases our month does not make, each replayed in a scenario
 * of its own with only the devices it needs, and scored per shape (shape-row.ts):
 * - incipient leaks growing 0 → 30 L/h over 2, 4 and 6 weeks on dormitory floors with real night
 *   use, and an abrupt 30 L/h leak;
 * - 2 m³/h bursts starting in a peak hour (dormitory floors 20:50, 21:30, 22:30; the main 07:00,
 *   12:00, 22:30, seen by the water balance) and one at 03:00;
 * - freezers whose unreported defrost runs every 4 h to 48 h, 20–60 min, up to +5 °C, with hours of
 *   jitter; a compressor failure after the cycle is learned; a warm-up much longer than a defrost;
 * - a year of the main transformer's load with a summer peak and three hot spells above 80 %;
 * - a fault-free term (weekends, holidays, 调休, exams, the winter vacation) for the false-ticket rate.
 * `short: true` is the CI version of each: one case, days instead of weeks.
 */
import type { Ticket } from '@campus/contract';
import { CampusSim, type FridgeModel, type Fault } from '@campus/device-sim';
import type { Campus } from '@campus/site';
import { outOfRangeClocks } from './clocks.ts';
import { replay } from './replay.ts';
import { endOfNextNight, leakFault, shanghai as t, type LabelledFault } from './scenario.ts';
import { score } from './score.ts';
import { fmtDuration, localClock, type ShapeRow } from './shape-row.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DORMS = ['wm-dorm-1', 'wm-dorm-2', 'wm-dorm-3', 'wm-dorm-4', 'wm-dorm-5', 'wm-dorm-6'];
const WATER = ['wm-main', ...DORMS, 'wm-canteen'];

export interface ShapeOptions {
  campus: Campus;
  seed?: number;
  /** the CI version: one case per shape, days instead of weeks */
  short?: boolean;
}

interface Run {
  devices: string[];
  from: number;
  to: number;
  labelled: LabelledFault[];
  /** shapes of normal use (night use, a defrost cycle): not faults, nothing expected of them */
  conditions?: Fault[];
  /** clocks given per fault id (when a growing leak reached its size) */
  clocks?: Map<string, number>;
}

interface RunResult {
  tickets: Ticket[];
  falseTickets: Ticket[];
  deviceDays: number;
  seconds: number;
  groups: ReturnType<typeof score>['groups'];
}

function run(o: ShapeOptions, r: Run): RunResult {
  const { clocks, onReading } = outOfRangeClocks(o.campus, r.labelled, new Map(r.clocks));
  const result = replay({
    campus: o.campus,
    from: r.from,
    to: r.to,
    devices: r.devices,
    faults: [...(r.conditions ?? []), ...r.labelled.map((l) => l.fault)],
    seed: o.seed,
    onReading,
  });
  const s = score(result.tickets, r.labelled, clocks, r.devices.length, (r.to - r.from) / DAY);
  return { tickets: result.tickets, falseTickets: s.falseTickets, deviceDays: s.deviceDays, seconds: result.wallMs / 1000, groups: s.groups };
}

/** One row per expectation group of a run; the run's false tickets are counted in each. */
function rows(o: ShapeOptions, res: RunResult): ShapeRow[] {
  return res.groups.map((g) => ({
    shape: g.group,
    source: 'simulated',
    faults: g.faults,
    caught: g.caught,
    times: g.times,
    goal: g.goal,
    met: g.caught === g.faults,
    falseTickets: res.falseTickets.length,
    deviceDays: res.deviceDays,
    notes: [
      ...g.hits.map((h) => `${fmtDuration(h.ms).padStart(10)}  ${h.label}`),
      ...g.missed.map((m) => `missed: ${m}`),
      ...res.falseTickets.slice(0, 5).map((f) => `false: ${ticketLine(o.campus, f)}`),
      ...(res.falseTickets.length > 5 ? [`false: … and ${res.falseTickets.length - 5} more`] : []),
    ],
    seconds: res.seconds,
  }));
}

const ticketLine = (campus: Campus, tk: Ticket) =>
  `${localClock(campus, Date.parse(tk.openedAt))} ${tk.deviceId} ${tk.condition} [${tk.severity}] ${tk.summary}`;
const nightUse = (ids: string[], from: number): Fault[] => ids.map((id) => ({ id: `night-use-${id}`, kind: 'night_use', target: id, from }));

// --- leaks ---------------------------------------------------------------------------------------

/** A leak growing linearly from 0 to 30 L/h over `weeks`, then staying: ticketed within 24 h of reaching 30 L/h. */
function growingLeak(campus: Campus, id: string, from: string, weeks: number, to: string, clocks: Map<string, number>): LabelledFault {
  const l = leakFault(campus, id, from, to, 30, weeks * 7 * 24);
  const reaches30 = t(from) + weeks * 7 * DAY;
  clocks.set(l.fault.id, reaches30);
  return {
    ...l,
    label: `leak 0→30 L/h over ${weeks} weeks at ${id} (30 L/h on ${localClock(campus, reaches30)})`,
    expect: { ...l.expect!, group: 'incipient leak 0→30 L/h over weeks', deadline: reaches30 + DAY, goal: 'within 24 h of reaching 30 L/h' },
  };
}

function abruptLeak(campus: Campus, id: string, from: string, to: string): LabelledFault {
  const l = leakFault(campus, id, from, to, 30);
  return { ...l, expect: { ...l.expect!, group: 'abrupt leak 30 L/h', deadline: endOfNextNight(t(from), campus) } };
}

export function leakShapes(o: ShapeOptions): ShapeRow[] {
  const { campus } = o;
  const clocks = new Map<string, number>();
  if (o.short) {
    const from = t('2026-10-08T00:00');
    return rows(
      o,
      run(o, {
        devices: ['wm-dorm-1', 'wm-dorm-2'],
        from,
        to: t('2026-10-27T16:00'),
        conditions: nightUse(['wm-dorm-1', 'wm-dorm-2'], from),
        labelled: [
          growingLeak(campus, 'wm-dorm-1', '2026-10-12T14:00', 2, '2026-10-28T00:00', clocks),
          abruptLeak(campus, 'wm-dorm-2', '2026-10-20T14:00', '2026-10-23T12:00'),
        ],
        clocks,
      }),
    );
  }
  const from = t('2026-09-01T00:00');
  const end = '2026-10-30T00:00';
  return rows(
    o,
    run(o, {
      devices: WATER.filter((id) => id !== 'wm-canteen'),
      from,
      to: t(end),
      conditions: nightUse(DORMS, from),
      labelled: [
        growingLeak(campus, 'wm-dorm-1', '2026-09-14T14:00', 2, end, clocks),
        growingLeak(campus, 'wm-dorm-2', '2026-09-14T14:00', 4, end, clocks),
        growingLeak(campus, 'wm-dorm-3', '2026-09-14T14:00', 6, end, clocks),
        abruptLeak(campus, 'wm-dorm-4', '2026-10-19T14:00', '2026-10-23T12:00'),
      ],
      clocks,
    }),
  );
}

// --- bursts --------------------------------------------------------------------------------------

function burst(id: string, local: string): LabelledFault {
  const from = t(local);
  // the main carries the whole school (peaks of 20-27 m³/h): reported apart, seen by the water balance (the main less its sub-meters)
  const group = id === 'wm-main' ? 'burst 2 m³/h on the main, in its peaks' : 'burst 2 m³/h on a dormitory floor, in its peaks and at 03:00';
  return {
    label: `burst 2 m³/h at ${id} from ${local.slice(5).replace('T', ' ')}`,
    fault: { id: `burst-${id}-${local}`, kind: 'burst', target: id, from, to: from + HOUR, size: { m3h: 2 } },
    expect: {
      group,
      subject: id,
      condition: 'water.burst',
      clock: 'fault',
      withinMs: 15 * MIN,
      goal: 'within 15 min',
    },
    allow: [
      { subject: id, condition: /^water\./ },
      { subject: 'wm-main', condition: /^water\./ },
    ],
  };
}

export function burstShapes(o: ShapeOptions): ShapeRow[] {
  const from = t(o.short ? '2026-10-19T00:00' : '2026-10-12T00:00');
  const labelled = o.short
    ? [
        burst('wm-dorm-1', '2026-11-02T21:30'),
        burst('wm-main', '2026-11-03T07:00'),
        burst('wm-dorm-1', '2026-11-03T22:30'),
        burst('wm-dorm-1', '2026-11-04T03:00'),
      ]
    : [
        burst('wm-dorm-1', '2026-11-02T20:50'),
        burst('wm-dorm-2', '2026-11-03T21:30'),
        burst('wm-dorm-3', '2026-11-04T22:30'),
        burst('wm-main', '2026-11-05T07:00'),
        burst('wm-main', '2026-11-06T12:00'),
        burst('wm-dorm-4', '2026-11-06T03:00'),
        burst('wm-main', '2026-11-06T22:30'),
      ];
  // every water meter: the main's balance is known only while all its sub-meters report
  const devices = WATER;
  return rows(
    o,
    run(o, {
      devices,
      from,
      to: t(o.short ? '2026-11-04T06:00' : '2026-11-07T00:00'),
      conditions: nightUse(
        DORMS.filter((d) => devices.includes(d)),
        from,
      ),
      labelled,
    }),
  );
}

// --- freezers ------------------------------------------------------------------------------------

interface Cycle {
  everyHours: number;
  minutes: number;
  jitterHours: number;
  peakC: number;
}
const FREEZER = 'fr-freezer-1';
/** the rules that judge the air temperature (a defrost must not trip them) */
const TEMPERATURE_RULES = ['fridge.excursion', 'fridge.cumulative'];
const cycleText = (c: Cycle) => `every ${c.everyHours} h ±${c.jitterHours} h, ${c.minutes} min, to ${c.peakC > 0 ? '+' : ''}${c.peakC} °C`;
const defrostCycle = (c: Cycle, from: number): Fault => ({
  id: `defrost-${FREEZER}`,
  kind: 'defrost_cycle',
  target: FREEZER,
  from,
  size: { ...c, reported: 0 },
});
/** When the simulator's defrosts of a cycle come (they are a function of the seed, not of the replay). */
function defrostsOf(o: ShapeOptions, cycle: Fault, from: number, to: number) {
  const sim = new CampusSim(o.campus, o.seed ?? 1);
  sim.faults.set([cycle]);
  return (sim.models.get(FREEZER) as FridgeModel).defrosts(from, to);
}

/** An unreported defrost cycle: at most two tickets until the second defrost (and its recovery) is over, none after. */
function learnCycle(o: ShapeOptions, c: Cycle, days: number): { ok: boolean; note: string; res: RunResult } {
  const from = t('2026-10-05T00:00');
  const to = from + days * DAY;
  const cycle = defrostCycle(c, from + HOUR);
  const res = run(o, { devices: [FREEZER], from, to, labelled: [], conditions: [cycle] });
  const defrosts = defrostsOf(o, cycle, from, to);
  const learnedAt = defrosts[1] ? defrosts[1].end + 2 * HOUR : to;
  // the temperature's tickets: a door notice (the simulated cooks open the door) is the door rule's, listed apart
  const mine = res.tickets.filter((tk) => tk.deviceId === FREEZER && TEMPERATURE_RULES.includes(tk.condition));
  const others = res.tickets.filter((tk) => !mine.includes(tk));
  const learning = mine.filter((tk) => Date.parse(tk.openedAt) < learnedAt);
  const after = mine.filter((tk) => Date.parse(tk.openedAt) >= learnedAt);
  const list = (ts: Ticket[]) =>
    [...ts]
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
      .map((tk) => `${localClock(o.campus, Date.parse(tk.openedAt))} ${tk.condition}`)
      .join(', ');
  const ok = learning.length <= 2 && after.length === 0;
  const note = `${cycleText(c)}: ${defrosts.length} defrosts in ${days} d; tickets while learning (to the 2nd defrost + 2 h): ${learning.length}${learning.length ? ` (${list(learning)})` : ''}; after: ${after.length}${after.length ? ` (first: ${list(after.slice(0, 3))})` : ''}${others.length ? `; other notices: ${list(others)}` : ''}`;
  return { ok, note, res };
}

const CYCLES: Cycle[] = [
  { everyHours: 4, minutes: 20, jitterHours: 0.5, peakC: -2 },
  { everyHours: 8, minutes: 30, jitterHours: 1, peakC: 1 },
  { everyHours: 24, minutes: 45, jitterHours: 2, peakC: 3 },
  { everyHours: 48, minutes: 60, jitterHours: 3, peakC: 5 },
];

function fridgeFault(label: string, group: string, goal: string, withinMs: number, fault: Fault): LabelledFault {
  return {
    label,
    fault,
    expect: { group, subject: FREEZER, condition: 'fridge.excursion', clock: 'out_of_range', withinMs, goal },
    allow: [{ subject: FREEZER, condition: /^fridge\./ }],
  };
}

export function freezerShapes(o: ShapeOptions): ShapeRow[] {
  const cycles = o.short ? [CYCLES[2]!] : CYCLES;
  const learned = cycles.map((c) => learnCycle(o, c, o.short ? 8 : Math.max(12, (c.everyHours * 12) / 24)));
  const learnRow: ShapeRow = {
    shape: 'freezer defrost, unreported, learned',
    source: 'simulated',
    faults: learned.length,
    caught: learned.filter((l) => l.ok).length,
    times: [],
    goal: '<= 2 tickets while learning, none after',
    met: learned.every((l) => l.ok),
    falseTickets: learned.reduce((n, l) => n + l.res.tickets.length, 0),
    deviceDays: learned.reduce((n, l) => n + l.res.deviceDays, 0),
    notes: learned.map((l) => `${l.ok ? 'met' : 'missed'}: ${l.note}`),
    seconds: learned.reduce((n, l) => n + l.res.seconds, 0),
  };

  // after learning a 24-h cycle: a compressor failure between defrosts, and one that starts with a defrost
  const c = CYCLES[2]!;
  const from = t('2026-10-05T00:00');
  const to = from + (o.short ? 9 : 14) * DAY;
  const cycle = defrostCycle(c, from + HOUR);
  const warmupAt = defrostsOf(o, cycle, from, to)[o.short ? 6 : 10]!.start;
  const failAt = from + (o.short ? 4 : 8) * DAY + 13 * HOUR;
  const res = run(o, {
    devices: [FREEZER],
    from,
    to,
    conditions: [cycle],
    labelled: [
      fridgeFault(
        `compressor failure for 3 h at ${localClock(o.campus, failAt)} (${cycleText(c)})`,
        'freezer compressor failure after learning',
        '45 min rule + one reading',
        45 * MIN + 30_000,
        { id: 'compressor-after-learning', kind: 'compressor_failure', target: FREEZER, from: failAt, to: failAt + 3 * HOUR },
      ),
      fridgeFault(
        `compressor failure with the defrost of ${localClock(o.campus, warmupAt)}: a 3-h warm-up`,
        'warm-up much longer than a defrost',
        'ticketed before 2 h out of range',
        2 * HOUR,
        { id: 'long-warm-up', kind: 'compressor_failure', target: FREEZER, from: warmupAt, to: warmupAt + 3 * HOUR },
      ),
    ],
  });
  return [learnRow, ...rows(o, res)];
}

// --- the transformer's year ----------------------------------------------------------------------

interface Spell {
  from: string;
  to: string;
  pct: number;
}

export function transformerShapes(o: ShapeOptions): ShapeRow[] {
  const { campus } = o;
  const id = 'tr-main';
  const spells: Spell[] = o.short
    ? [{ from: '2026-06-22T00:00', to: '2026-06-27T00:00', pct: 35 }]
    : [
        { from: '2026-05-25T00:00', to: '2026-05-30T00:00', pct: 55 }, // a hot week in May (no air conditioning in the profile yet)
        { from: '2026-06-22T00:00', to: '2026-06-27T00:00', pct: 35 },
        { from: '2026-09-14T00:00', to: '2026-09-23T00:00', pct: 35 }, // over a weekend and the 调休 Sunday 09-20
      ];
  const vacation: Spell = o.short
    ? { from: '2026-07-06T00:00', to: '2026-07-10T00:00', pct: 35 }
    : { from: '2026-07-13T00:00', to: '2026-08-01T00:00', pct: 35 };
  const from = t(o.short ? '2026-06-18T00:00' : '2026-01-01T00:00');
  const to = t(o.short ? '2026-07-10T00:00' : '2027-01-01T00:00');
  const fault = (s: Spell, i: number): Fault => ({ id: `hot-spell-${i}`, kind: 'hot_spell', target: id, from: t(s.from), to: t(s.to), size: { pct: s.pct } });
  // daily worst-phase peaks, to say how hot each spell made the unit
  const peaks = new Map<string, number>();
  const ratedA = (315 * 1000) / (Math.sqrt(3) * 400);
  const result = replay({
    campus,
    from,
    to,
    devices: [id],
    faults: [...spells.map(fault), fault(vacation, spells.length)],
    seed: o.seed,
    onReading: (r) => {
      const date = campus.calendar.local(r.ts).date;
      const load = (100 * Math.max(...(r.values as { currentA: number[] }).currentA)) / ratedA;
      peaks.set(date, Math.max(peaks.get(date) ?? 0, load));
    },
  });
  const notices = result.tickets.filter((tk) => tk.condition === 'transformer.near_capacity');
  const explained = new Set<number>();
  const times: number[] = [];
  const notes: string[] = [];
  let caught = 0;
  const dayPeaks = (s: Spell) =>
    [...peaks].filter(([d]) => d >= s.from.slice(0, 10) && d < s.to.slice(0, 10) && campus.calendar.isSchoolDay(d)).map(([, p]) => p);
  for (const s of spells) {
    const mine = notices.filter((tk) => Date.parse(tk.openedAt) >= t(s.from) && Date.parse(tk.openedAt) < t(s.to) + 7 * DAY);
    for (const tk of mine) explained.add(tk.id);
    const hot = dayPeaks(s);
    const ok = mine.length === 1;
    if (ok) (caught++, times.push(Date.parse(mine[0]!.openedAt) - t(s.from)));
    notes.push(
      `${ok ? fmtDuration(times.at(-1)!).padStart(10) : 'missed:'}  hot spell ${s.from.slice(0, 10)} → ${s.to.slice(0, 10)}: school-day peaks ${Math.round(Math.min(...hot))}–${Math.round(Math.max(...hot))} %, ${mine.length} notice(s)`,
    );
  }
  const inVacation = notices.filter((tk) => campus.calendar.dayType(campus.calendar.local(Date.parse(tk.openedAt)).date) === 'vacation');
  const vacPeak = Math.max(...[...peaks].filter(([d]) => d >= vacation.from.slice(0, 10) && d < vacation.to.slice(0, 10)).map(([, p]) => p));
  notes.push(
    `hot spell in the vacation ${vacation.from.slice(0, 10)} → ${vacation.to.slice(0, 10)} (peak ${Math.round(vacPeak)} %): ${inVacation.length} notice(s) in the vacation`,
  );
  const summer = [...peaks].filter(
    ([d]) => campus.calendar.isSchoolDay(d) && ![...spells, vacation].some((s) => d >= s.from.slice(0, 10) && d < s.to.slice(0, 10)),
  );
  notes.push(`school days outside the spells: peak ${Math.round(Math.max(...summer.map(([, p]) => p)))} % (the summer peak)`);
  const falseTickets = result.tickets.filter((tk) => !explained.has(tk.id));
  for (const f of falseTickets.slice(0, 5)) notes.push(`false: ${ticketLine(campus, f)}`);
  return [
    {
      shape: `transformer ${o.short ? 'summer' : 'year'}: hot spells > 80 %`,
      source: 'simulated',
      faults: spells.length,
      caught,
      times,
      goal: 'one notice per hot spell, none in the vacation',
      met: caught === spells.length && inVacation.length === 0,
      falseTickets: falseTickets.length,
      deviceDays: (to - from) / DAY,
      notes,
      seconds: result.wallMs / 1000,
    },
  ];
}

// --- a fault-free term ---------------------------------------------------------------------------

export function termShape(o: ShapeOptions): ShapeRow[] {
  const { campus } = o;
  // a classroom meter of each grade, and one more: the timetable, holidays and 调休 are the same for all
  const classes = o.short ? ['em-g1c1'] : ['em-g1c1', 'em-g2c1', 'em-g3c1', 'em-g2c4'];
  const devices = o.short ? ['wm-main', 'wm-dorm-1', 'wm-canteen', 'em-canteen', ...classes] : [...WATER, 'em-sci', 'em-dorm', 'em-canteen', ...classes];
  // 中秋 and 国庆 with the 调休 Saturday 10-10; the full version runs to two weeks into the winter vacation
  const from = t(o.short ? '2026-09-28T00:00' : '2026-09-01T00:00');
  const to = t(o.short ? '2026-10-15T00:00' : '2027-02-06T00:00');
  const res = run(o, {
    devices,
    from,
    to,
    labelled: [],
    conditions: nightUse(
      DORMS.filter((d) => devices.includes(d)),
      from,
    ),
  });
  const rate = (100 * res.falseTickets.length) / res.deviceDays;
  const byCondition = new Map<string, number>();
  for (const f of res.falseTickets) byCondition.set(f.condition, (byCondition.get(f.condition) ?? 0) + 1);
  return [
    {
      shape: `fault-free ${o.short ? '17 days (国庆, 调休)' : 'term (20 weeks + vacation)'}`,
      source: 'simulated',
      faults: 0,
      caught: 0,
      times: [],
      goal: '<= 1 false ticket per 100 device-days',
      met: rate <= 1,
      falseTickets: res.falseTickets.length,
      deviceDays: res.deviceDays,
      notes: [
        `${devices.length} meters: ${devices.join(', ')}; ${localClock(campus, from).slice(0, 10)} → ${localClock(campus, to).slice(0, 10)}`,
        ...(byCondition.size ? [`by condition: ${[...byCondition].map(([c, n]) => `${c} ${n}`).join(', ')}`] : []),
        ...res.falseTickets.slice(0, 8).map((f) => `false: ${ticketLine(campus, f)}`),
        ...(res.falseTickets.length > 8 ? [`false: … and ${res.falseTickets.length - 8} more`] : []),
      ],
      seconds: res.seconds,
    },
  ];
}

export const SHAPES = { leaks: leakShapes, bursts: burstShapes, freezers: freezerShapes, transformer: transformerShapes, term: termShape } as const;

/** Every shape, in order. */
export function runShapes(o: ShapeOptions): ShapeRow[] {
  return Object.values(SHAPES).flatMap((shape) => shape(o));
}
