/**
 * `npm run eval:detect [-- --seed N] [--only month,leaks,bursts,freezers,transformer,term,real]`: replays
 * the labelled school month and prints per-condition recall, false tickets per 100 device-days,
 * median time-to-ticket and the peak number of new tickets in any 10 minutes, each against its
 * goal; then the real world's shapes (shapes.ts), one row per shape; then the public real-world
 * data sets (real/: eval/fixtures/real), one row per set and shape. Exit code 1 when a goal is missed.
 */
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { outOfRangeClocks } from './clocks.ts';
import { replay } from './replay.ts';
import { monthScenario } from './scenario.ts';
import { median, score } from './score.ts';
import { fmtDuration, localClock, pad, printShapes, type ShapeRow } from './shape-row.ts';
import { printRealDataRows } from './real/index.ts';
import { SHAPES } from './shapes.ts';

const args = process.argv.slice(2);
const seed = Number(args[args.indexOf('--seed') + 1] ?? 1) || 1;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : null;
const wanted = (part: string) => !only || only.has(part);
const campus = loadCampus(process.env.CAMPUS_CONFIG ?? DEMO_CAMPUS_FILE);
let ok = true;

if (wanted('month')) ok = month() && ok;
const parts = Object.entries(SHAPES).filter(([name]) => wanted(name));
if (parts.length) {
  console.log(`\nThe real world's shapes (simulated, each with only the devices it needs), seed ${seed}\n`);
  const rows: ShapeRow[] = [];
  for (const [name, shape] of parts) {
    const started = performance.now();
    const got = shape({ campus, seed });
    rows.push(...got);
    console.log(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s (replays ${got.map((r) => r.seconds.toFixed(1)).join(' + ')} s)`);
  }
  console.log('');
  ok = printShapes(rows) && ok;
}
if (wanted('real')) ok = printRealDataRows() && ok;
console.log(`\n${ok ? 'all goals met' : 'GOALS NOT MET'}`);
process.exitCode = ok ? 0 : 1;

function month(): boolean {
  const scenario = monthScenario(campus);
  const { clocks, onReading } = outOfRangeClocks(campus, scenario.faults);
  const result = replay({ campus, from: scenario.from, to: scenario.to, faults: scenario.faults.map((l) => l.fault), seed, onReading });
  const days = (scenario.to - scenario.from) / 86_400_000;
  const s = score(result.tickets, scenario.faults, clocks, campus.devices.length, days);
  console.log(
    `Detection evaluation — ${campus.site.name}, ${campus.calendar.local(scenario.from).date} → ${campus.calendar.local(scenario.to).date} (includes the 国庆 holiday)`,
  );
  console.log(`${days} days, ${campus.devices.length} devices (${s.deviceDays} device-days), seed ${seed}, ${scenario.faults.length} labelled faults`);
  console.log(`replayed ${result.readings.toLocaleString('en')} readings in ${(result.wallMs / 1000).toFixed(1)} s; ${result.tickets.length} tickets opened\n`);
  console.log(`${pad('condition', 20)}${pad('faults', 8)}${pad('caught', 8)}${pad('recall', 8)}${pad('median time-to-ticket', 24)}${pad('goal', 34)}met`);
  let met = true;
  for (const g of s.groups) {
    const all = g.caught === g.faults;
    met &&= all;
    console.log(
      `${pad(g.group, 20)}${pad(String(g.faults), 8)}${pad(String(g.caught), 8)}${pad(`${Math.round((100 * g.caught) / g.faults)}%`, 8)}${pad(fmtDuration(median(g.times)), 24)}${pad(g.goal, 34)}${all ? 'yes' : 'NO'}`,
    );
    for (const h of g.hits) console.log(`    ${fmtDuration(h.ms).padStart(10)}  ${h.label}`);
    for (const m of g.missed) console.log(`    missed: ${m}`);
  }
  const falseOk = s.falsePer100DeviceDays <= 1;
  const floodOk = s.peakNewIn10Min <= 10;
  console.log(`\nfalse tickets: ${s.falseTickets.length} = ${s.falsePer100DeviceDays.toFixed(2)} per 100 device-days (goal <= 1): ${falseOk ? 'yes' : 'NO'}`);
  for (const t of s.falseTickets) console.log(`    ${localClock(campus, Date.parse(t.openedAt))} ${t.deviceId} ${t.condition} [${t.severity}] ${t.summary}`);
  const cleanedUp = result.tickets.filter((t) => t.resolvedBy === 'eval').length;
  console.log(`(${cleanedUp} tickets were resolved by the simulated office 30 min after their condition cleared)`);
  console.log(`peak new tickets in any 10 minutes: ${s.peakNewIn10Min} (goal <= 10, incl. the gateway outage): ${floodOk ? 'yes' : 'NO'}`);
  return met && falseOk && floodOk;
}
