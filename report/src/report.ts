/**
 * The term report (学期后勤工作总结, the quantitative half): every figure from rollups and the
 * ticket table, gathered section by section. Rendering (html.ts, csv.ts via tables.ts) and the
 * summary paragraph (summary.ts) only read this object.
 */
import { TicketStore } from '@campus/repairs';
import { type ReadingStore } from '@campus/store';
import { type Db } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { competitionsHeld } from './competitions.ts';
import type { ReportContext } from './context.ts';
import { coverage } from './coverage.ts';
import { resourceFigures } from './energy.ts';
import { datesFrom } from './format.ts';
import { fridgeFigures } from './fridges.ts';
import { leakFigures } from './leaks.ts';
import { resolvePeriod, type PeriodRequest, type ReportPeriod } from './period.ts';
import { RollupReader } from './rollup-reader.ts';
import { summaryText } from './summary.ts';
import type { TermReport } from './term-report.ts';
import { ticketFigures } from './tickets.ts';
import { transformerFigures } from './transformers.ts';

export type { TermReport };

export interface ReportInputs {
  campus: Campus;
  store: ReadingStore;
  /** campus.db: tickets and the competitions the office set up */
  db: Db;
  period: PeriodRequest | ReportPeriod;
  now?: number;
}

export async function buildReport(inputs: ReportInputs): Promise<TermReport> {
  const started = performance.now();
  const now = inputs.now ?? Date.now();
  const { campus, store, db } = inputs;
  const period = 'fromTs' in inputs.period ? inputs.period : resolvePeriod(campus, { ...inputs.period, now });
  const reader = new RollupReader(store);
  const ctx: ReportContext = { campus, period, reader, now };
  const tickets = new TicketStore(db).openedBetween(period.fromTs, period.toTs);
  const [electricity, water, competitions, leaks, fridges, transformers] = await Promise.all([
    resourceFigures(ctx, 'electricity'),
    resourceFigures(ctx, 'water'),
    competitionsHeld(ctx, store, db),
    leakFigures(ctx, tickets),
    fridgeFigures(ctx, tickets),
    transformerFigures(ctx),
  ]);
  const cover = await coverage(ctx, new Map([...electricity.meters, ...water.meters]));
  const report: Omit<TermReport, 'summary'> = {
    site: { id: campus.site.id, name: campus.site.name },
    calendar: campus.calendar,
    period,
    days: datesFrom(period.from, period.to).map((date) => ({ date, type: campus.calendar.dayType(date) })),
    generatedAt: now,
    store: store.name,
    tariffs: campus.tariffs,
    electricity,
    water,
    competitions,
    tickets: ticketFigures(tickets),
    leaks,
    fridges,
    transformers,
    coverage: cover,
    work: { queries: reader.queries, ms: 0 },
  };
  const summary = summaryText(report);
  return { ...report, summary, work: { queries: reader.queries, ms: Math.round(performance.now() - started) } };
}
