/**
 * Public real-world data in the detection evaluation (issue 18): each set replayed through the
 * detectors, scored per set and shape. `realDataRows()` runs them all; `printRealDataRows()` prints
 * the table for `npm run eval:detect`.
 */
import { runFreezerSet } from './freezer-set.ts';
import { runLeakSet } from './leak-set.ts';
import { runLoadSet } from './load-set.ts';
import { formatRealRows, type RealRow } from './rows.ts';

export { runFreezerSet } from './freezer-set.ts';
export { runLeakSet } from './leak-set.ts';
export { runLoadSet } from './load-set.ts';
export { formatRealRows, type RealRow } from './rows.ts';
export { replaySeries, type SeriesDevice } from './replay-series.ts';

export function realDataRows(): RealRow[] {
  return [...runFreezerSet().rows, ...runFreezerSet({ stretch: 1.5 }).rows, ...runLeakSet().rows, ...runLoadSet().rows];
}

/** Prints the per-set rows; returns whether every goal was met. */
export function printRealDataRows(log: (line: string) => void = console.log): boolean {
  const rows = realDataRows();
  log('\nReal-world data (eval/fixtures/real: a real freezer defrost rhythm, BattLeDIM leak profiles, a real dormitory load on a transformer)');
  for (const line of formatRealRows(rows)) log(line);
  return rows.every((r) => r.met);
}
