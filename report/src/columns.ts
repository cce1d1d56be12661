/** The shape of a report table and its column kinds (tables.ts builds them; html.ts and csv.ts draw them). */
export type Cell = string | number | null;

export interface Column {
  label: string;
  /** text (default), a number with `digits` decimals, or a change in % (shown with its sign) */
  type?: 'text' | 'number' | 'change';
  digits?: number;
}

export type SectionId = 'energy' | 'cost' | 'competitions' | 'tickets' | 'leaks' | 'fridges' | 'transformers' | 'coverage' | 'daily';

export interface ReportTable {
  /** file name of its CSV, without .csv */
  id: string;
  section: SectionId;
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** rows drawn as totals (bold) at the end */
  totalRows?: number;
  note?: string;
}

export const n = (label: string, digits = 0): Column => ({ label, type: 'number', digits });
export const chg = (label: string): Column => ({ label, type: 'change', digits: 1 });
export const text = (label: string): Column => ({ label });
