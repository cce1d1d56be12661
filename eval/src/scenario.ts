/**
 * The labelled month: four school weeks around the 国庆 holiday (2026-09-28 to 2026-10-26), with
 * 10 fault-free days to learn, then faults of every kind the detectors must catch. Each fault
 * says which ticket must follow, by when, and which related tickets are not false alarms.
 */
import type { Fault } from '@campus/device-sim';
import type { Campus } from '@campus/site';

export interface Expectation {
  /** what the evaluation reports this under */
  group: string;
  /** the ticket that must be opened: subject and condition */
  subject: string;
  condition: string;
  /** when the clock starts: the fault's start, or when the fridge left its range */
  clock: 'fault' | 'out_of_range';
  /** the latest acceptable time-to-ticket from the clock start, ms; or an absolute deadline */
  withinMs?: number;
  deadline?: number;
  goal: string;
}

export interface LabelledFault {
  label: string;
  fault: Fault;
  expect?: Expectation;
  /** related (subject, condition) pairs that the fault legitimately causes */
  allow: { subject: string; condition: string | RegExp }[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** epoch ms of a local time of the demo campus (Asia/Shanghai), 'YYYY-MM-DDTHH:MM' */
export const shanghai = (local: string): number => Date.parse(`${local}:00+08:00`);
const t = shanghai;

/** 05:00 after the first 02:00-04:00 night window that starts after `ts` (a leak is judged at 04:00). */
export function endOfNextNight(ts: number, campus: Campus): number {
  const local = campus.calendar.local(ts);
  const day = local.minuteOfDay < 2 * 60 ? local.date : new Date(Date.parse(`${local.date}T00:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);
  return campus.calendar.startOfDay(day) + 5 * HOUR;
}

const waterAllow = (id: string) => [
  { subject: id, condition: /^water\./ },
  { subject: 'wm-main', condition: /^water\./ }, // the main meter sees every leak downstream
];

/** A leak (incipient when rampHours > 0), expected as a night-flow ticket by the end of the next night after it reaches 30 L/h. */
export function leakFault(campus: Campus, id: string, from: string, to: string | undefined, lph: number, rampHours = 0): LabelledFault {
  const start = t(from);
  const reaches30 = start + (rampHours * HOUR * 30) / lph;
  return {
    label: `${rampHours ? 'incipient' : 'abrupt'} leak ${lph} L/h at ${id}`,
    fault: { id: `leak-${id}`, kind: 'leak', target: id, from: start, ...(to ? { to: t(to) } : {}), size: { lph, rampHours } },
    expect: {
      group: 'leak >= 30 L/h',
      subject: id,
      condition: 'water.night_flow',
      clock: 'fault',
      deadline: endOfNextNight(rampHours ? reaches30 : start, campus),
      goal: 'within one night',
    },
    allow: waterAllow(id),
  };
}

/** A transformer driven to `pct` % on its worst phase: the sustained rule (15 min) or the heavy one (2 min), plus one 10-s interval. */
export function overloadFault(target: string, from: string, to: string, pct: number): LabelledFault {
  const heavy = pct > 130;
  return {
    label: `${heavy ? 'heavy ' : ''}overload ${pct} % on ${target}`,
    fault: { id: `overload-${target}`, kind: 'overload', target, from: t(from), to: t(to), size: { pct } },
    expect: {
      group: 'overload',
      subject: target,
      condition: 'transformer.overload',
      clock: 'fault',
      withinMs: (heavy ? 2 : 15) * MIN + 10_000,
      goal: `${heavy ? 2 : 15} min rule + one interval`,
    },
    allow: [{ subject: target, condition: /^transformer\./ }],
  };
}

/** A gateway outage: one common-cause ticket within 5 min, nothing per device. */
export function gatewayOutageFault(target: string, from: string, to: string, label = `gateway outage at ${target}`): LabelledFault {
  return {
    label,
    fault: { id: `${target}-down`, kind: 'gateway_outage', target, from: t(from), to: t(to) },
    expect: { group: 'gateway outage', subject: target, condition: 'gateway.outage', clock: 'fault', withinMs: 5 * MIN, goal: 'one ticket within 5 min' },
    allow: [],
  };
}

export function monthScenario(campus: Campus): { from: number; to: number; faults: LabelledFault[] } {
  const water = waterAllow;
  const leak = (id: string, from: string, to: string, lph: number, rampHours = 0) => leakFault(campus, id, from, to, lph, rampHours);
  const faults: LabelledFault[] = [
    leak('wm-dorm-2', '2026-10-08T14:00', '2026-10-10T12:00', 30),
    leak('wm-dorm-5', '2026-10-09T15:00', '2026-10-11T12:00', 60),
    leak('wm-canteen', '2026-10-12T10:00', '2026-10-13T20:00', 150),
    leak('wm-dorm-4', '2026-10-13T12:00', '2026-10-18T12:00', 100, 72),
    {
      label: 'running toilet cistern 50 L/h at wm-dorm-6',
      fault: { id: 'cistern-wm-dorm-6', kind: 'cistern', target: 'wm-dorm-6', from: t('2026-10-15T16:00'), to: t('2026-10-17T12:00'), size: { lph: 50 } },
      expect: {
        group: 'leak >= 30 L/h',
        subject: 'wm-dorm-6',
        condition: 'water.night_flow',
        clock: 'fault',
        deadline: endOfNextNight(t('2026-10-15T16:00'), campus),
        goal: 'within one night',
      },
      allow: water('wm-dorm-6'),
    },
    {
      label: 'burst 15 m³/h on the main at night',
      fault: { id: 'burst-main', kind: 'burst', target: 'wm-main', from: t('2026-10-14T02:30'), to: t('2026-10-14T03:15'), size: { m3h: 15 } },
      expect: { group: 'burst', subject: 'wm-main', condition: 'water.burst', clock: 'fault', withinMs: 15 * MIN, goal: 'within 15 min' },
      allow: water('wm-main'),
    },
    {
      label: 'burst 9 m³/h on a dormitory floor (pipe rated 6)',
      fault: { id: 'burst-dorm-1', kind: 'burst', target: 'wm-dorm-1', from: t('2026-10-16T10:00'), to: t('2026-10-16T10:30'), size: { m3h: 9 } },
      expect: { group: 'burst', subject: 'wm-dorm-1', condition: 'water.burst', clock: 'fault', withinMs: 15 * MIN, goal: 'within 15 min' },
      allow: water('wm-dorm-1'),
    },
    overloadFault('tr-main', '2026-10-19T10:00', '2026-10-19T10:40', 115),
    overloadFault('tr-sci', '2026-10-19T15:00', '2026-10-19T15:10', 140),
    {
      label: 'phase imbalance 25 % at 45 % load for 60 min',
      fault: {
        id: 'imbalance-main',
        kind: 'imbalance',
        target: 'tr-main',
        from: t('2026-10-20T09:00'),
        to: t('2026-10-20T10:00'),
        size: { ratio: 0.25, pct: 45 },
      },
      expect: {
        group: 'imbalance',
        subject: 'tr-main',
        condition: 'transformer.imbalance',
        clock: 'fault',
        withinMs: 30 * MIN + 10_000,
        goal: '30 min rule + one interval',
      },
      allow: [{ subject: 'tr-main', condition: /^transformer\./ }],
    },
    {
      label: 'chiller compressor failure for 3 h',
      fault: { id: 'compressor-chiller-2', kind: 'compressor_failure', target: 'fr-chiller-2', from: t('2026-10-21T09:00'), to: t('2026-10-21T12:00') },
      expect: {
        group: 'fridge excursion',
        subject: 'fr-chiller-2',
        condition: 'fridge.excursion',
        clock: 'out_of_range',
        withinMs: 35 * MIN,
        goal: '30 min rule + 5 min',
      },
      allow: [{ subject: 'fr-chiller-2', condition: /^fridge\./ }],
    },
    {
      label: 'freezer compressor failure for 2 h',
      fault: { id: 'compressor-freezer-2', kind: 'compressor_failure', target: 'fr-freezer-2', from: t('2026-10-23T13:00'), to: t('2026-10-23T15:00') },
      expect: {
        group: 'fridge excursion',
        subject: 'fr-freezer-2',
        condition: 'fridge.excursion',
        clock: 'out_of_range',
        withinMs: 50 * MIN,
        goal: '45 min rule + 5 min',
      },
      allow: [{ subject: 'fr-freezer-2', condition: /^fridge\./ }],
    },
    {
      label: 'chiller door left open 15 min',
      fault: { id: 'door-chiller-1', kind: 'door_open', target: 'fr-chiller-1', from: t('2026-10-21T14:00'), to: t('2026-10-21T14:15') },
      expect: {
        group: 'door left open',
        subject: 'fr-chiller-1',
        condition: 'fridge.door_open',
        clock: 'fault',
        withinMs: 2 * MIN + 30_000,
        goal: 'notice at 2 min + one interval',
      },
      allow: [{ subject: 'fr-chiller-1', condition: /^fridge\./ }],
    },
    gatewayOutageFault('gw-teaching', '2026-10-22T10:00', '2026-10-22T11:00', 'gateway outage silencing the 24 classroom meters for 1 h'),
    {
      label: 'classroom lights and air conditioning left on at night',
      fault: { id: 'lights-g2c4', kind: 'lights_on', target: 'em-g2c4', from: t('2026-10-22T22:00'), to: t('2026-10-23T00:00'), size: { kw: 1.2 } },
      expect: {
        group: 'after-hours use',
        subject: 'em-g2c4',
        condition: 'electricity.after_hours',
        clock: 'fault',
        withinMs: 31 * MIN,
        goal: '30 min rule + one interval',
      },
      allow: [],
    },
    // register events that must not raise anything
    // wm-dorm-3 starts 200 m³ before the end of its 8-digit register and wraps about ten days in
    {
      label: 'register rollover at wm-dorm-3',
      fault: { id: 'rollover-dorm-3', kind: 'rollover', target: 'wm-dorm-3', from: t('2026-09-28T00:00'), size: { beforeM3: 200 } },
      allow: [],
    },
    {
      label: 'meter replacement at wm-canteen',
      fault: { id: 'replace-canteen', kind: 'replacement', target: 'wm-canteen', from: t('2026-10-23T11:00') },
      allow: [],
    },
  ];
  return { from: t('2026-09-28T00:00'), to: t('2026-10-26T00:00'), faults };
}
