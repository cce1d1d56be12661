/**
 * `npm run bench`: the scenarios of bench/README (issue 7), each figure beside a peer or the
 * machine's own limit measured in the same run. A full run writes bench/RESULTS.md.
 *   npm run bench                         everything, full size (tens of minutes)
 *   npm run bench -- --quick              everything scaled down (under 2 minutes), nothing written
 *   npm run bench -- --only 3,batch       some scenarios;  --write  replaces them in RESULTS.md, keeping the others
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertToGlass } from './alert-to-glass.ts';
import { batchSize } from './batch-size.ts';
import { competitionQuery } from './competition-term.ts';
import { printResult, writeResults, type BenchResult, type Scenario } from './report.ts';
import { footprint, storeComparison, sustainedIngest } from './sustained-ingest.ts';

const SCENARIOS: [string, string, Scenario][] = [
  ['1', 'sustained ingest', sustainedIngest],
  ['2', 'alert to glass', alertToGlass],
  ['3', 'competition query', competitionQuery],
  ['4', 'footprint', footprint],
  ['5', 'store comparison', storeComparison],
  ['batch', 'batch size', batchSize],
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const started = new Date();
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
console.log(`campus benchmarks${quick ? ' (quick)' : ''} — ${started.toISOString()}`);
const results: BenchResult[] = [];
for (const [key, title, run] of SCENARIOS) {
  if (only && !only.includes(key)) continue;
  console.log(`\n== ${key}: ${title}`);
  const t0 = performance.now();
  for (const r of await run({ quick, log: (line) => console.log(`  . ${line}`) })) {
    printResult(r);
    results.push(r);
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
const seconds = (Date.now() - started.getTime()) / 1000;
if ((!quick && !only) || args.includes('--write')) {
  const file = join(fileURLToPath(new URL('..', import.meta.url)), 'RESULTS.md');
  // --only with --write replaces those scenarios in RESULTS.md and keeps the others
  writeResults(file, results, command, started, seconds, Boolean(only));
  console.log(`\nwrote ${file}`);
}
const missed = results.filter((r) => r.goal && !r.goal.met);
console.log(`\n${results.length} figures in ${seconds.toFixed(0)} s; goals met: ${results.filter((r) => r.goal?.met).length}, not met: ${missed.length}`);
