/**
 * The report as files in a directory, as the CLI writes them and the office keeps them:
 * report.html (print it, or save it as PDF from the browser), summary.txt (the paragraph to
 * paste), and one UTF-8 CSV (with BOM, for Excel) per table, the repair log's included.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Campus } from '@campus/site';
import { csvTables, toCsv } from './csv.ts';
import { renderReportHtml } from './html.ts';
import type { TermReport } from './report.ts';

/** `campus` names the places in the repair log */
export function writeReportFiles(dir: string, report: TermReport, campus?: Campus): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.html', renderReportHtml(report)],
    ['summary.txt', `${report.summary}\n`],
    ...csvTables(report, campus).map((t): [string, string] => [`${t.id}.csv`, toCsv(t)]),
  ];
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return files.map(([name]) => name);
}
