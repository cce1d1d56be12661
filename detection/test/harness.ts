/** Drives the detection engine with synthetic readings in simulated time. */
import type { Reading } from '@campus/contract';
import { DetectionEngine } from '@campus/detection';
import { type Clear, type Finding, type Raise } from '@campus/repairs';
import { buildCampus, DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const campus = loadCampus(DEMO_CAMPUS_FILE);
export const MIN = 60_000;
export const HOUR = 3600_000;
export const at = (iso: string) => Date.parse(iso);

/** The demo campus with edits to its document. */
export function campusWith(edit: (doc: any) => void): Campus {
  const doc = parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  edit(doc);
  return buildCampus(doc);
}

export function reading(deviceId: string, ts: number, values: Record<string, unknown>, c: Campus = campus): Reading {
  return { siteId: c.site.id, deviceId, kind: c.device(deviceId)!.kind, ts, seq: 0, receivedAt: ts, values: values as unknown as Reading['values'] };
}

export interface Run {
  engine: DetectionEngine;
  findings: (Finding & { ts: number })[];
  feed(deviceId: string, ts: number, values: Record<string, unknown>): Finding[];
  /** raised findings of a condition */
  raised(condition: string): (Raise & { ts: number })[];
  cleared(condition: string): (Clear & { ts: number })[];
}

export function run(c: Campus = campus, engine = new DetectionEngine([c])): Run {
  const findings: (Finding & { ts: number })[] = [];
  return {
    engine,
    findings,
    feed(deviceId, ts, values) {
      const out = engine.onReading(reading(deviceId, ts, values, c));
      findings.push(...out.map((f) => ({ ...f, ts })));
      return out;
    },
    raised: (condition) => findings.filter((f): f is Raise & { ts: number } => f.condition === condition && f.active),
    cleared: (condition) => findings.filter((f): f is Clear & { ts: number } => f.condition === condition && !f.active),
  };
}

/** A water meter register driven by a flow profile (m³/h as a function of time), 1-litre resolution. */
export function waterMeter(r: Run, deviceId: string, from: number, to: number, stepMs: number, flow: (ts: number) => number, start = 1000) {
  let total = start;
  for (let ts = from; ts <= to; ts += stepMs) {
    total += (flow(ts) * stepMs) / HOUR;
    r.feed(deviceId, ts, { totalM3: Math.round(total * 1000) / 1000 });
  }
  return total;
}
