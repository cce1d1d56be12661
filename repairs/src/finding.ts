/** What a detector says about a subject: a condition is present (again), or it has cleared. */
import type { EvidencePoint, Severity, TicketCategory, Trade } from '@campus/contract';

export interface Raise {
  active: true;
  /** detector key, e.g. "fridge.excursion" */
  condition: string;
  /** a device id, or a gateway / transformer id for a common cause */
  subjectId: string;
  /** time of the evaluation (device time of the reading, or of the tick) */
  at: number;
  severity: Severity;
  trade: Trade;
  category: TicketCategory;
  /** short Chinese title, e.g. "冷藏柜超温" */
  title: string;
  /** what was seen, with numbers, in Chinese */
  summary: string;
  evidence?: EvidencePoint[];
  details?: Record<string, unknown>;
}

export interface Clear {
  active: false;
  condition: string;
  subjectId: string;
  at: number;
  summary: string;
}

export type Finding = Raise | Clear;

export const clear = (condition: string, subjectId: string, at: number, summary: string): Clear => ({ active: false, condition, subjectId, at, summary });

/** A raised finding of `condition` on `subjectId` at `at`. */
export const raise = (condition: string, subjectId: string, at: number, what: Omit<Raise, 'active' | 'condition' | 'subjectId' | 'at'>): Raise => ({
  active: true,
  condition,
  subjectId,
  at,
  ...what,
});

/** A detector's result: its new state and what it found. */
export const found = <S>(state: S, ...findings: Finding[]): { state: S; findings: Finding[] } => ({ state, findings });
