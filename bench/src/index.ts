/**
 * `npm run bench`: every benchmark, each printing its figure beside a peer run on the same machine
 * in the same process (this machine is noisy; only ratios travel). Knobs: BENCH_TERM_WEEKS (20),
 * BENCH_BACKENDS (sqlite,influx), BENCH_ONLY (competition or batch).
 */
import { benchBatchSize } from './batch-size.ts';
import { benchCompetitionTerm } from './competition-term.ts';
import { printResult } from './report.ts';

const weeks = Number(process.env.BENCH_TERM_WEEKS ?? 20);
const backends = (process.env.BENCH_BACKENDS ?? 'sqlite,influx').split(',');
console.log(`campus benchmarks — node ${process.version}, ${new Date().toISOString()}`);
const only = process.env.BENCH_ONLY; // competition | batch
if (!only || only === 'batch') await benchBatchSize(backends);
if (!only || only === 'competition') for (const r of await benchCompetitionTerm({ weeks, backends })) printResult(r);
