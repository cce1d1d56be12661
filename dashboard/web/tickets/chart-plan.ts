/**
 * What a ticket's reading chart draws, DOM-free: the device's series before detection
 * (GET /api/readings, field and window), the lines a detector judged against where the ticket
 * carries them (its details: thresholdM3h, quietM3h, ratedFlowM3h, limits, limitC, thresholdPct),
 * and the detector's own figures in the series' unit where they convert. No line when the ticket
 * has none.
 */
import type { DeviceKind, Ticket } from '@campus/contract/browser';

export type LineKind = 'threshold' | 'max' | 'min' | 'rated';

export interface ChartLine {
  kind: LineKind;
  value: number;
}

export interface ChartPlan {
  /** the series field of /api/readings (SERIES_FIELDS) */
  field: string;
  unit: string;
  /** readings from this epoch ms to that one */
  from: number;
  to: number;
  lines: ChartLine[];
  /** the ticket's evidence in the series' unit, or undefined when it does not convert */
  evidence: { ts: number; value: number }[] | undefined;
}

export interface ChartDevice {
  kind: DeviceKind;
  ratings: { ratedCurrentA?: number; limitsC?: { min?: number; max: number } };
}

/** how long before the ticket opened the chart begins, and how long after it ends */
export const BEFORE_MS = 60 * 60_000;
export const AFTER_MS = 15 * 60_000;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function seriesOf(condition: string, kind: DeviceKind): { field: string; unit: string } {
  switch (kind) {
    case 'water_meter':
      return { field: 'flowM3h', unit: 'm³/h' };
    case 'fridge':
      return { field: 'tempC', unit: '°C' };
    case 'electric_meter':
      return { field: 'powerKW', unit: 'kW' };
    case 'transformer':
      return condition === 'transformer.oil_temp' ? { field: 'oilTempC', unit: '°C' } : { field: 'worstPhaseA', unit: 'A' };
  }
}

function linesOf(t: Pick<Ticket, 'condition' | 'details'>, device: ChartDevice, unit: string, rated: number | undefined): ChartLine[] {
  const d = t.details ?? {};
  const lines: ChartLine[] = [];
  const add = (kind: LineKind, v: unknown) => {
    const value = num(v);
    if (value !== undefined) lines.push({ kind, value });
  };
  if (unit === 'm³/h') {
    // water.burst: its learned threshold, or the pipe's rating when the flow was above it; water.continuous_flow: its quiet level
    const flow = num(d.flowM3h);
    const ratedFlow = num(d.ratedFlowM3h);
    add('threshold', num(d.thresholdM3h) ?? num(d.quietM3h) ?? (flow !== undefined && ratedFlow !== undefined && flow > ratedFlow ? ratedFlow : undefined));
  } else if (unit === '°C') {
    const limits = (typeof d.limits === 'object' && d.limits) || (t.condition.startsWith('fridge.') ? device.ratings.limitsC : undefined);
    if (limits) {
      add('max', (limits as { max?: unknown }).max);
      add('min', (limits as { min?: unknown }).min);
    }
    add('threshold', d.limitC);
  } else if (unit === 'A') {
    const pct = num(d.thresholdPct);
    if (pct !== undefined && rated !== undefined) add('threshold', (pct * rated) / 100);
    // an overload is judged against the rated current (100 %)
    else if (t.condition === 'transformer.overload') add('rated', rated);
  }
  return lines;
}

/** the evidence's unit as the series': L/h to m³/h, a transformer's load % to amperes */
function scaleOf(evidenceUnit: string | undefined, unit: string, condition: string, rated: number | undefined): number | undefined {
  if (evidenceUnit === unit) return 1;
  if (evidenceUnit === 'L/h' && unit === 'm³/h') return 0.001;
  if (evidenceUnit === '%' && unit === 'A' && condition === 'transformer.overload' && rated !== undefined) return rated / 100;
  return undefined;
}

/** The chart of a ticket on a ledger device, or undefined (a person's request, a gateway, the storage ticket). */
export function chartPlan(t: Pick<Ticket, 'condition' | 'details' | 'evidence' | 'openedAt'>, device: ChartDevice | undefined, now: number): ChartPlan | undefined {
  if (!device) return undefined;
  const { field, unit } = seriesOf(t.condition, device.kind);
  const rated = num(t.details?.ratedCurrentA) ?? device.ratings.ratedCurrentA;
  const opened = Date.parse(t.openedAt);
  const scale = scaleOf(t.evidence[0]?.unit, unit, t.condition, rated);
  return {
    field,
    unit,
    from: opened - BEFORE_MS,
    to: Math.max(opened + 60_000, Math.min(now, opened + AFTER_MS)),
    lines: linesOf(t, device, unit, rated),
    evidence: scale === undefined ? undefined : t.evidence.map((e) => ({ ts: e.ts, value: e.value * scale })),
  };
}
