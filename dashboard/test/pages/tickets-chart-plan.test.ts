/** What the ticket page's reading chart draws for each detector's ticket (web/tickets/chart-plan.ts), DOM-free. */
import { describe, expect, it } from 'vitest';
import type { EvidencePoint } from '@campus/contract';
import { AFTER_MS, BEFORE_MS, chartPlan, type ChartDevice } from '../../web/tickets/chart-plan.ts';

const OPENED = Date.parse('2026-11-23T10:00:00+08:00');
const ticket = (condition: string, details: Record<string, unknown>, evidence: EvidencePoint[] = []) => ({
  condition,
  details,
  evidence,
  openedAt: new Date(OPENED).toISOString(),
});
const meter: ChartDevice = { kind: 'water_meter', ratings: {} };
const transformer: ChartDevice = { kind: 'transformer', ratings: { ratedCurrentA: 1000 } };
const fridge: ChartDevice = { kind: 'fridge', ratings: { limitsC: { min: 0, max: 8 } } };

describe('the reading chart of a ticket', () => {
  it('asks for the hour before the ticket opened, up to 15 minutes after (not beyond now)', () => {
    const plan = chartPlan(ticket('water.burst', {}), meter, OPENED + 3600_000)!;
    expect([plan.field, plan.from, plan.to]).toEqual(['flowM3h', OPENED - BEFORE_MS, OPENED + AFTER_MS]);
    expect(chartPlan(ticket('water.burst', {}), meter, OPENED + 120_000)!.to).toBe(OPENED + 120_000);
  });

  it('draws the line each detector judged against, where the ticket carries it', () => {
    const lines = (c: string, d: Record<string, unknown>, dev: ChartDevice) => chartPlan(ticket(c, d), dev, OPENED)!.lines;
    expect(lines('water.burst', { thresholdM3h: 1.2, flowM3h: 2 }, meter)).toEqual([{ kind: 'threshold', value: 1.2 }]);
    // above the pipe's rating before anything was learned
    expect(lines('water.burst', { thresholdM3h: null, flowM3h: 7, ratedFlowM3h: 6 }, meter)).toEqual([{ kind: 'threshold', value: 6 }]);
    expect(lines('water.burst', { viaBalance: true, residualThresholdM3h: 0.5, flowM3h: 3 }, meter)).toEqual([]); // the residual is not the main's flow
    expect(lines('water.continuous_flow', { quietM3h: 0.03 }, meter)).toEqual([{ kind: 'threshold', value: 0.03 }]);
    expect(lines('fridge.excursion', { limits: { min: 0, max: 5 } }, fridge)).toEqual([
      { kind: 'max', value: 5 },
      { kind: 'min', value: 0 },
    ]);
    expect(lines('fridge.door_open', {}, fridge)).toEqual([
      { kind: 'max', value: 8 },
      { kind: 'min', value: 0 },
    ]);
    expect(lines('transformer.oil_temp', { limitC: 85 }, transformer)).toEqual([{ kind: 'threshold', value: 85 }]);
    expect(lines('transformer.overload', { thresholdPct: 130 }, transformer)).toEqual([{ kind: 'threshold', value: 1300 }]);
    expect(lines('transformer.overload', { loadPct: 160 }, transformer)).toEqual([{ kind: 'rated', value: 1000 }]);
    expect(lines('water.night_flow', { mnfM3h: 0.2, referenceM3h: 0.05 }, meter)).toEqual([]);
  });

  it("shows the detector's own readings in the series' unit, or not at all", () => {
    const at = (unit: string, value: number) => [{ ts: OPENED, value, unit }];
    expect(chartPlan(ticket('water.continuous_flow', {}, at('L/h', 250)), meter, OPENED)!.evidence).toEqual([{ ts: OPENED, value: 0.25 }]);
    expect(chartPlan(ticket('transformer.overload', {}, at('%', 150)), transformer, OPENED)!.evidence).toEqual([{ ts: OPENED, value: 1500 }]);
    expect(chartPlan(ticket('transformer.imbalance', {}, at('%', 40)), transformer, OPENED)!.evidence).toBeUndefined();
    expect(chartPlan(ticket('water.burst', {}), undefined, OPENED)).toBeUndefined(); // a person's request, a gateway
  });
});
