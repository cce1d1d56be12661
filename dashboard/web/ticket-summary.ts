/**
 * A ticket's summary in English, built from what the detector left on the ticket: its condition,
 * its details and its evidence (the figures the Chinese summary was written from, see `summary:`
 * and `details:` in detection/src/detectors/*.ts). Undefined where the condition has no template
 * or the ticket lacks a figure the sentence needs (e.g. a threshold that is only the detector's
 * parameter, or a duration it does not record): the page then shows the server's Chinese text.
 * DOM-free, so that a test can run every template.
 */
import type { Ticket } from '@campus/contract/browser';
import { minutesText, translator } from './i18n/text.ts';

const t = translator('en');

type SummarySource = Pick<Ticket, 'condition' | 'severity' | 'details' | 'evidence'>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** as the detectors and the pages write a figure: fixed digits */
const fmt = (v: number, digits = 1) => v.toFixed(digits);
function limitText(limits: unknown): string | undefined {
  if (!limits || typeof limits !== 'object') return undefined;
  const { min, max } = limits as { min?: unknown; max?: unknown };
  const hi = num(max);
  if (hi === undefined) return undefined;
  const lo = num(min);
  if (min !== undefined && min !== null && lo === undefined) return undefined;
  return lo !== undefined ? `${lo}–${hi} °C` : `≤ ${hi} °C`;
}

/** fridge.excursion's `notDefrost`: a warm spell first excused as the unit's learned defrost, and why it was none */
const NOT_DEFROST: Readonly<Record<string, string>> = {
  longer: ' (longer than its earlier defrosts: not a defrost)',
  warmer: ' (warmer than its earlier defrosts: not a defrost)',
  slower: ' (warming more slowly than its earlier defrosts: not a defrost)',
};

/** One sentence per condition, or undefined when a figure is missing. */
export const SUMMARY_TEMPLATES: Readonly<Record<string, (x: SummarySource) => string | undefined>> = Object.freeze({
  'water.night_flow': ({ details: d }) => {
    const mnf = num(d.mnfM3h);
    const ref = num(d.referenceM3h);
    if (mnf === undefined || ref === undefined) return undefined;
    const trend = d.rule === 'trend' && typeof d.trend === 'object' && d.trend !== null ? (d.trend as Record<string, unknown>) : undefined;
    if (trend) {
      const nights = num(trend.nights);
      const from = num(trend.fromM3h);
      const slope = num(trend.slopeM3hPerNight);
      if (nights === undefined || from === undefined || slope === undefined) return undefined;
      return `Minimum night flow rising over ${fmt(nights, 0)} nights, from ${fmt(from * 1000, 0)} to ${fmt(mnf * 1000, 0)} L/h (about +${fmt(slope * 1000, 1)} L/h a night); long-term reference ${fmt(ref * 1000, 0)} L/h`;
    }
    return `Minimum night flow ${fmt(mnf * 1000, 0)} L/h, reference ${fmt(ref * 1000, 0)} L/h (learned from earlier nights of the same kind), ${fmt((mnf - ref) * 1000, 0)} L/h above it`;
  },
  'water.out_of_hours': ({ details: d }) => {
    const used = num(d.usedM3);
    const avg = num(d.averageM3);
    if (typeof d.date !== 'string' || used === undefined || avg === undefined) return undefined;
    return `${d.date} (not a school day): ${fmt(used, 2)} m³ of water used, against ${fmt(avg, 2)} m³ on average on earlier such days`;
  },
  'water.burst': ({ details: d }) => {
    const flow = num(d.flowM3h);
    const rated = num(d.ratedFlowM3h);
    if (flow !== undefined && rated !== undefined && flow > rated)
      return `5-minute average flow ${fmt(flow, 2)} m³/h, above the pipe's rated flow of ${fmt(rated, 1)} m³/h`;
    const minutesOf = num(d.minutes);
    // on the campus main: the water balance (the main less its sub-meters) saw it
    if (d.viaBalance === true) {
      const residual = num(d.residualFloorM3h);
      const peak = num(d.residualPeakM3h);
      if (residual === undefined || peak === undefined || minutesOf === undefined) return undefined;
      return `Unmetered flow (the main less its sub-meters) not below ${fmt(residual, 2)} m³/h for ${fmt(minutesOf, 0)} minutes; the highest at this time of day before was about ${fmt(peak, 2)} m³/h`;
    }
    // above what this time of day has seen: the flow never fell below its floor for `minutes`
    const floor = num(d.floorM3h);
    const high = num(d.learnedPeakM3h);
    if (floor === undefined || high === undefined || minutesOf === undefined) return undefined;
    return `Flow not below ${fmt(floor, 2)} m³/h for ${fmt(minutesOf, 0)} minutes; the highest at this time of day before was about ${fmt(high, 2)} m³/h`;
  },
  'water.meter_alarm': ({ details: d }) => {
    const flags = d.flags;
    if (!Array.isArray(flags) || !flags.length || !flags.every((f) => typeof f === 'string')) return undefined;
    return `The meter's own alarm status: ${flags.join(' ')}`;
  },
  'fridge.excursion': ({ details: d, evidence, severity }) => {
    const temp = num(evidence.at(-1)?.value);
    const minutes = num(d.outOfRangeMinutes);
    const limits = limitText(d.limits);
    const notDefrost = d.notDefrost === undefined ? '' : NOT_DEFROST[String(d.notDefrost)];
    if (temp === undefined || minutes === undefined || limits === undefined || notDefrost === undefined) return undefined;
    const critical = severity === 'critical' ? ': over 2 hours, by the rules the food must be used at once or discarded' : '';
    return `Now ${fmt(temp, 1)} °C (limits ${limits}), food out of range for ${minutesText(minutes, t)}${notDefrost}${critical}`;
  },
  'fridge.sensor_fault': ({ evidence }) => {
    const temp = num(evidence.at(-1)?.value);
    if (temp === undefined) return undefined;
    return `A reading of ${fmt(temp, 1)} °C is impossible: the sensor is broken, loose or miswired, and food safety cannot be monitored meanwhile`;
  },
});

/** The ticket's summary in English, or undefined (then the server's Chinese summary stands). */
export function summaryEn(ticket: SummarySource): string | undefined {
  const template = SUMMARY_TEMPLATES[ticket.condition];
  if (!template) return undefined;
  const text = template({ ...ticket, details: ticket.details ?? {}, evidence: ticket.evidence ?? [] });
  return text && !/undefined|NaN/.test(text) ? text : undefined;
}
