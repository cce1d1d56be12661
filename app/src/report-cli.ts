/**
 * `npm run campus -- report [--term 2026-2027学年第一学期 | --from YYYY-MM-DD --to YYYY-MM-DD] [--out DIR]`:
 * the term report (the figures of the 学期后勤工作总结) as files: report.html (print it, or save it
 * as PDF), summary.txt and one CSV per table, the same the dashboard's /reports serves. Reads the
 * store and campus.db read-only, so it runs beside `npm start`. Default: the term running now, or
 * the last one that ended, into ./report-<term>/.
 */
import { join, resolve } from 'node:path';
import { openReadingStore } from '@campus/store';
import { dbPath, openDb } from '@campus/runtime';
import { buildReport, writeReportFiles } from '@campus/report';
import type { Knobs } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { option } from './args.ts';

export const REPORT_USAGE = '  npm run campus -- report [--term <name> | --from YYYY-MM-DD --to YYYY-MM-DD] [--out DIR]';

export async function reportCommand(args: string[], knobs: Readonly<Knobs>): Promise<void> {
  const campus = loadCampus(knobs.campusConfig);
  const period = { term: option(args, '--term'), from: option(args, '--from'), to: option(args, '--to') };
  const store = openReadingStore(knobs, [campus], { readonly: true });
  const db = openDb(dbPath(knobs.dataDir), { readonly: true });
  try {
    const report = await buildReport({ campus, store, db, period });
    const name = report.period.term ?? `${report.period.from}_${report.period.to}`;
    const dir = resolve(option(args, '--out') ?? `report-${name}`);
    const files = writeReportFiles(dir, report, campus);
    console.log(
      `${report.period.label}（${report.period.from} 至 ${report.period.to}）: ${files.length} files in ${dir} (from ${store.name} rollups in ${(report.work.ms / 1000).toFixed(1)} s, ${report.work.queries} queries)\n  open ${join(dir, 'report.html')} and print it (A4) or save it as PDF\n\n${report.summary}`,
    );
  } finally {
    db.close();
    store.close();
  }
}
