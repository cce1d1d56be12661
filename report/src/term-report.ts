/**
 * The term report object (built by report.ts): what the rendering (html.ts, csv.ts via tables.ts)
 * and the summary paragraph (summary.ts) read.
 */
import type { DayType, SchoolCalendar, TariffsConfig } from '@campus/site';
import type { CompetitionHeld } from './competitions.ts';
import type { Coverage } from './coverage.ts';
import type { ResourceFigures } from './energy.ts';
import type { FridgeFigures } from './fridges.ts';
import type { LeakFigure } from './leaks.ts';
import type { ReportPeriod } from './period.ts';
import type { TicketFigures } from './tickets.ts';
import type { TransformerFigure } from './transformers.ts';

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
