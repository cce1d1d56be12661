/**
 * Faults for a running simulator: CAMPUS_DATA_DIR/sim-faults.json, written by
 * `npm run campus -- fault ...` and watched by the simulator (applied within a second).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { FAULT_KINDS, FAULT_TARGETS, type Fault } from './faults.ts';

export const faultFile = (dataDir: string): string => join(dataDir, 'sim-faults.json');

export function readFaults(dataDir: string): Fault[] {
  const file = faultFile(dataDir);
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { faults?: Fault[] };
  return Array.isArray(parsed.faults) ? parsed.faults : [];
}

export function writeFaults(dataDir: string, faults: Fault[]): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileAtomic(faultFile(dataDir), JSON.stringify({ faults }, null, 2) + '\n', 0o644);
}

/** Checks a fault against the campus: a known kind on a target of the right sort. */
export function checkFault(fault: Pick<Fault, 'kind' | 'target'>, campus: Campus): string | null {
  if (!(FAULT_KINDS as readonly string[]).includes(fault.kind)) return `unknown fault "${fault.kind}"; one of ${FAULT_KINDS.join(', ')}`;
  const needs = FAULT_TARGETS[fault.kind];
  if (needs === 'gateway')
    return campus.gateways.some((g) => g.id === fault.target) ? null : `"${fault.target}" is not a gateway (${campus.gateways.map((g) => g.id).join(', ')})`;
  const device = campus.device(fault.target);
  if (!device) return `no device "${fault.target}" in the campus file`;
  if (needs !== 'device' && device.kind !== needs) return `${fault.kind} needs a ${needs}; "${fault.target}" is a ${device.kind}`;
  return null;
}
