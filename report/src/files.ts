/**
 * The report as files in a directory, as the CLI writes them and the office keeps them:
 * report.html (print it, or save it as PDF from the browser), summary.txt (the paragraph to
 * paste), and one UTF-8 CSV (with BOM, for Excel) per table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from './csv.ts';
import { renderReportHtml } from './html.ts';
import type { TermReport } from './report.ts';
import { reportTables } from './tables.ts';

export function writeReportFiles(dir: string, report: TermReport): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.html', renderReportHtml(report)],
    ['summary.txt', `${report.summary}\n`],
    ...reportTables(report).map((t): [string, string] => [`${t.id}.csv`, toCsv(t)]),
  ];
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return files.map(([name]) => name);
}
