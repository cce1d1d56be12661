/**
 * The term report (学期后勤工作总结, the quantitative half): every figure from rollups and the
 * ticket table, gathered section by section. Rendering (html.ts, csv.ts via tables.ts) and the
 * summary paragraph (summary.ts) only read this object.
 */
import { TicketStore } from '@campus/repairs';
import { type ReadingStore } from '@campus/store';
import { type Db } from '@campus/runtime';
import type { Campus, DayType, SchoolCalendar, TariffsConfig } from '@campus/site';
import { competitionsHeld, type CompetitionHeld } from './competitions.ts';
import type { ReportContext } from './context.ts';
import { coverage, type Coverage } from './coverage.ts';
import { resourceFigures, type ResourceFigures } from './energy.ts';
import { datesFrom } from './format.ts';
import { fridgeFigures, type FridgeFigures } from './fridges.ts';
import { leakFigures, type LeakFigure } from './leaks.ts';
import { resolvePeriod, type PeriodRequest, type ReportPeriod } from './period.ts';
import { RollupReader } from './rollup-reader.ts';
import { summaryText } from './summary.ts';
import { ticketFigures, type TicketFigures } from './tickets.ts';
import { transformerFigures, type TransformerFigure } from './transformers.ts';

export interface TermReport {
  site: { id: string; name: string };
  /** the site's calendar (local times in the tables) */
  calendar: SchoolCalendar;
  period: ReportPeriod;
  /** every day of the period with its kind (school day, weekend, holiday) */
  days: { date: string; type: DayType }[];
  generatedAt: number;
  /** where the readings came from: sqlite or influx */
  store: string;
  tariffs: TariffsConfig;
  electricity: ResourceFigures;
  water: ResourceFigures;
  competitions: CompetitionHeld[];
  tickets: TicketFigures;
  leaks: LeakFigure[];
  fridges: FridgeFigures;
  transformers: TransformerFigure[];
  coverage: Coverage;
  /** the paragraph the office pastes into its report */
  summary: string;
  /** rollup queries made, and how long it took */
  work: { queries: number; ms: number };
}

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
