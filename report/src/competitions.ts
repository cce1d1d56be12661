/**
 * The saving competitions held in the period, with their winners, scored by the competition's own
 * code (competition.ts, the one /competition uses): the ones the office set up (campus.db
 * `competitions`) that overlap the period, and the term-long board (electricity; water where
 * classes have their own meters).
 */
import type { ReadingStore } from '@campus/store';
import type { Db } from '@campus/runtime';
import { scoreCompetition, type CompetitionResult, type Resource } from './competition.ts';
import type { ReportContext } from './context.ts';
import { CompetitionStore } from './competition-store.ts';

export interface CompetitionHeld {
  name: string;
  resource: Resource;
  from: string;
  to: string;
  /** set up by the office, or the board over the whole period */
  source: 'office' | 'period';
  result: CompetitionResult;
}

export async function competitionsHeld(ctx: ReportContext, store: ReadingStore, db: Db): Promise<CompetitionHeld[]> {
  const { campus, period, now } = ctx;
  const saved = new CompetitionStore(db).overlapping(period.from, period.to);
  const boards: Omit<CompetitionHeld, 'result'>[] = saved.map(({ name, resource, from, to }) => ({ name, resource, from, to, source: 'office' }));
  const waterByClass = campus.devices.some((d) => d.kind === 'water_meter' && d.class);
  const label = period.term ? '学期' : '本时段';
  boards.push({ name: `${label}节电评比`, resource: 'electricity', from: period.from, to: period.to, source: 'period' });
  if (waterByClass) boards.push({ name: `${label}节水评比`, resource: 'water', from: period.from, to: period.to, source: 'period' });
  return Promise.all(
    boards.map(async (b) => ({
      ...b,
      result: await scoreCompetition(campus, store, { resource: b.resource, period: 'custom', today: b.to, custom: { from: b.from, to: b.to }, now }),
    })),
  );
}
