/**
 * The English ticket summaries (dashboard/web/ticket-summary.ts): every condition with a template
 * renders from details shaped as its detector writes them, in English, with no "undefined" or
 * "NaN"; a ticket lacking a figure, or a condition without a template, keeps the server's text.
 */
import { describe, expect, it } from 'vitest';
import type { Ticket } from '@campus/contract/browser';
import { SUMMARY_TEMPLATES, summaryEn } from '../web/ticket-summary.ts';

type Source = Pick<Ticket, 'condition' | 'severity' | 'details' | 'evidence'>;
const ts = Date.parse('2026-05-01T02:00:00Z');

/** one ticket per template, with the details its detector writes (detection/src/detectors/*.ts) */
const SAMPLES: Record<string, Source> = {
  'water.night_flow': { condition: 'water.night_flow', severity: 'major', details: { mnfM3h: 0.42, referenceM3h: 0.05, night: '2026-04-30' }, evidence: [] },
  'water.out_of_hours': {
    condition: 'water.out_of_hours',
    severity: 'major',
    details: { date: '2026-05-01', usedM3: 12.345, averageM3: 1.5 },
    evidence: [{ ts, value: 12.345, unit: 'm³' }],
  },
  'water.burst': {
    condition: 'water.burst',
    severity: 'critical',
    details: { flowM3h: 31.2, learnedPeakM3h: 8, ratedFlowM3h: 25, date: '2026-05-01' },
    evidence: [{ ts, value: 31.2, unit: 'm³/h' }],
  },
  'water.meter_alarm': { condition: 'water.meter_alarm', severity: 'major', details: { flags: ['LEAK', 'BURST'] }, evidence: [] },
  'fridge.excursion': {
    condition: 'fridge.excursion',
    severity: 'critical',
    details: { outOfRangeMinutes: 125, since: ts - 125 * 60_000, peakC: 11.3, limits: { min: 0, max: 8 } },
    evidence: [{ ts, value: 10.96, unit: '°C' }],
  },
  'fridge.sensor_fault': { condition: 'fridge.sensor_fault', severity: 'major', details: {}, evidence: [{ ts, value: 85, unit: '°C' }] },
};
const cjk = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;

describe('ticket summaries in English', () => {
  it('has a sample for every template', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(SUMMARY_TEMPLATES).sort());
  });

  it.each(Object.keys(SUMMARY_TEMPLATES))('%s renders from its details in English, every figure filled in', (condition) => {
    const text = SUMMARY_TEMPLATES[condition]!(SAMPLES[condition]!);
    expect(text).toBeTypeOf('string');
    expect(text).not.toMatch(/undefined|NaN|null|\[object/);
    expect(text).not.toMatch(cjk);
    expect(summaryEn(SAMPLES[condition]!)).toBe(text);
  });

  it('writes the figures as the detector does', () => {
    expect(summaryEn(SAMPLES['water.night_flow']!)).toBe(
      'Minimum night flow 420 L/h, reference 50 L/h (learned from earlier nights of the same kind), 370 L/h above it',
    );
    // the trend rule (夜间最小流量连续 N 夜上升，由 x 升至 y L/h) and the burst above the time of day's learned high
    const trend = { nights: 21, slopeM3hPerNight: 0.0012, fromM3h: 0.012, toM3h: 0.036, z: 3.1 };
    expect(summaryEn({ ...SAMPLES['water.night_flow']!, details: { mnfM3h: 0.036, referenceM3h: 0.011, rule: 'trend', trend } })).toBe(
      'Minimum night flow rising over 21 nights, from 12 to 36 L/h (about +1.2 L/h a night); long-term reference 11 L/h',
    );
    expect(summaryEn({ ...SAMPLES['water.burst']!, details: { flowM3h: 4.1, floorM3h: 3.2, minutes: 10, learnedPeakM3h: 1.4, ratedFlowM3h: 25 } })).toBe(
      'Flow not below 3.20 m³/h for 10 minutes; the highest at this time of day before was about 1.40 m³/h',
    );
    const balance = {
      flowM3h: 24.6,
      viaBalance: true,
      residualFloorM3h: 3.63,
      residualPeakM3h: 1.2,
      residualThresholdM3h: 3.33,
      minutes: 10,
      ratedFlowM3h: 40,
    };
    expect(summaryEn({ ...SAMPLES['water.burst']!, details: balance })).toBe(
      'Unmetered flow (the main less its sub-meters) not below 3.63 m³/h for 10 minutes; the highest at this time of day before was about 1.20 m³/h',
    );
    expect(summaryEn(SAMPLES['fridge.excursion']!)).toBe(
      'Now 11.0 °C (limits 0–8 °C), food out of range for 2 h 5 min: over 2 hours, by the rules the food must be used at once or discarded',
    );
    expect(summaryEn({ ...SAMPLES['fridge.excursion']!, severity: 'major', details: { outOfRangeMinutes: 45, limits: { max: -18 } } })).toBe(
      'Now 11.0 °C (limits ≤ -18 °C), food out of range for 45 min',
    );
    // first excused as the learned defrost (detection/src/detectors/fridge-excursion.ts: （比以往除霜更久，不是除霜） etc.)
    const notDefrost = (why: string) => summaryEn({ ...SAMPLES['fridge.excursion']!, details: { ...SAMPLES['fridge.excursion']!.details, notDefrost: why } });
    expect(notDefrost('longer')).toBe(
      'Now 11.0 °C (limits 0–8 °C), food out of range for 2 h 5 min (longer than its earlier defrosts: not a defrost): over 2 hours, by the rules the food must be used at once or discarded',
    );
    expect(notDefrost('warmer')).toContain('(warmer than its earlier defrosts: not a defrost)');
    expect(notDefrost('slower')).toContain('(warming more slowly than its earlier defrosts: not a defrost)');
  });

  it('keeps the server text (undefined) where a figure is missing or there is no template', () => {
    expect(summaryEn({ ...SAMPLES['water.night_flow']!, details: { mnfM3h: 0.42, referenceM3h: null } })).toBeUndefined();
    expect(summaryEn({ ...SAMPLES['fridge.excursion']!, evidence: [] })).toBeUndefined();
    expect(summaryEn({ ...SAMPLES['fridge.excursion']!, details: { outOfRangeMinutes: 45 } })).toBeUndefined();
    // a reason this page does not know: the server's Chinese says it
    expect(summaryEn({ ...SAMPLES['fridge.excursion']!, details: { ...SAMPLES['fridge.excursion']!.details, notDefrost: 'odder' } })).toBeUndefined();
    // a surge judged against the learned high, from a ticket of before (no floor, no minutes)
    expect(summaryEn({ ...SAMPLES['water.burst']!, details: { flowM3h: 20, learnedPeakM3h: 8, ratedFlowM3h: 25 } })).toBeUndefined();
    expect(
      summaryEn({ ...SAMPLES['water.night_flow']!, details: { mnfM3h: 0.036, referenceM3h: 0.011, rule: 'trend', trend: { nights: 21 } } }),
    ).toBeUndefined();
    expect(summaryEn({ ...SAMPLES['water.meter_alarm']!, details: {} })).toBeUndefined();
    expect(summaryEn({ condition: 'transformer.oil_temp', severity: 'major', details: {}, evidence: [{ ts, value: 105, unit: '°C' }] })).toBeUndefined();
  });
});
