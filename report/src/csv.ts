/**
 * A table as CSV that Excel on a school office's PC opens with its Chinese intact: UTF-8 with a
 * byte-order mark, CRLF line ends, RFC 4180 quoting. Numbers keep their column's decimals and no
 * thousands separators; text that a spreadsheet would run as a formula (= + - @ at the start) is
 * prefixed with an apostrophe (names come from the campus file).
 */
import type { Campus } from '@campus/site';
import { repairTables } from './repair-tables.ts';
import type { TermReport } from './term-report.ts';
import { reportTables, type Cell, type Column, type ReportTable } from './tables.ts';

export const BOM = '\uFEFF';

function cell(value: Cell, column: Column): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value.toFixed(column.digits ?? 0) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: ReportTable): string {
  const lines = [table.columns.map((c) => cell(c.label, { label: '' })), ...table.rows.map((row) => row.map((v, i) => cell(v, table.columns[i]!)))];
  return BOM + lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}

/**
 * Every table with a CSV file: the report's, then the repairs chapter's (the desk by trade and the
 * repair log, 维修台账: one row per ticket opened in the period; `campus` names the devices' places).
 */
export function csvTables(r: TermReport, campus?: Campus): ReportTable[] {
  const tables = reportTables(r);
  return [...tables, ...repairTables(r, campus).filter((t) => !tables.some((x) => x.id === t.id))];
}
