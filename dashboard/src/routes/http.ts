/** Small helpers shared by the API routes: clear 400s and 503s in one shape. */
import type { Response } from 'express';
import type { ReadingStore } from '@campus/store';
import type { DashboardDeps } from '../deps.ts';

export function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: 'bad_request', message });
}

export function storeOr503(deps: DashboardDeps, res: Response): ReadingStore | undefined {
  const store = deps.store();
  if (!store) res.status(503).json({ error: 'store_unavailable', message: 'the store is not open yet' });
  return store;
}

/** A time parameter: epoch ms, or ISO 8601. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : Number.NaN;
}
