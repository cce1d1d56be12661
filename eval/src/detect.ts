/**
 * `npm run eval:detect [-- --seed N]`: replays the labelled school month and prints per-condition
 * recall, false tickets per 100 device-days, median time-to-ticket and the peak number of new
 * tickets in any 10 minutes, each against its goal. Exit code 1 when a goal is missed.
 */
import { FRIDGE_LIMITS_C, type FridgeValues } from '@campus/contract';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { replay } from './replay.ts';
import { monthScenario } from './scenario.ts';
import { median, score } from './score.ts';

const args = process.argv.slice(2);
const seed = Number(args[args.indexOf('--seed') + 1] ?? 1) || 1;
const campus = loadCampus(process.env.CAMPUS_CONFIG ?? DEMO_CAMPUS_FILE);
const scenario = monthScenario(campus);

// when each fridge fault actually took the food out of range: the clock for the excursion goal
const clocks = new Map<string, number>();
const fridgeFaults = scenario.faults.filter((l) => l.expect?.clock === 'out_of_range');
const result = replay({
  campus,
  from: scenario.from,
  to: scenario.to,
  faults: scenario.faults.map((l) => l.fault),
  seed,
  onReading: (r) => {
    if (r.kind !== 'fridge') return;
    for (const l of fridgeFaults) {
      if (l.fault.target !== r.deviceId || clocks.has(l.fault.id) || r.ts < l.fault.from) continue;
      const device = campus.device(r.deviceId)!;
      const limits = device.kind === 'fridge' ? FRIDGE_LIMITS_C[device.fridgeClass] : { max: 8 };
      const temp = (r.values as FridgeValues).tempC;
      if (temp > limits.max || ('min' in limits && limits.min !== undefined && temp < limits.min)) clocks.set(l.fault.id, r.ts);
    }
  },
});

const days = (scenario.to - scenario.from) / 86_400_000;
const s = score(result.tickets, scenario.faults, clocks, campus.devices.length, days);
const fmtDuration = (ms: number) =>
  Number.isNaN(ms)
    ? '—'
    : ms >= 3600_000
      ? `${Math.floor(ms / 3600_000)} h ${Math.round((ms % 3600_000) / 60_000)} min`
      : ms >= 60_000
        ? `${(ms / 60_000).toFixed(1)} min`
        : `${Math.round(ms / 1000)} s`;
const pad = (text: string, n: number) => text + ' '.repeat(Math.max(0, n - [...text].length));

console.log(
  `Detection evaluation — ${campus.site.name}, ${campus.calendar.local(scenario.from).date} → ${campus.calendar.local(scenario.to).date} (includes the 国庆 holiday)`,
);
console.log(`${days} days, ${campus.devices.length} devices (${s.deviceDays} device-days), seed ${seed}, ${scenario.faults.length} labelled faults`);
console.log(`replayed ${result.readings.toLocaleString('en')} readings in ${(result.wallMs / 1000).toFixed(1)} s; ${result.tickets.length} tickets opened\n`);
console.log(`${pad('condition', 20)}${pad('faults', 8)}${pad('caught', 8)}${pad('recall', 8)}${pad('median time-to-ticket', 24)}${pad('goal', 34)}met`);
let ok = true;
for (const g of s.groups) {
  const met = g.caught === g.faults;
  ok &&= met;
  console.log(
    `${pad(g.group, 20)}${pad(String(g.faults), 8)}${pad(String(g.caught), 8)}${pad(`${Math.round((100 * g.caught) / g.faults)}%`, 8)}${pad(fmtDuration(median(g.times)), 24)}${pad(g.goal, 34)}${met ? 'yes' : 'NO'}`,
  );
  for (const h of g.hits) console.log(`    ${fmtDuration(h.ms).padStart(10)}  ${h.label}`);
  for (const m of g.missed) console.log(`    missed: ${m}`);
}
const falseOk = s.falsePer100DeviceDays <= 1;
const floodOk = s.peakNewIn10Min <= 10;
ok &&= falseOk && floodOk;
console.log(`\nfalse tickets: ${s.falseTickets.length} = ${s.falsePer100DeviceDays.toFixed(2)} per 100 device-days (goal <= 1): ${falseOk ? 'yes' : 'NO'}`);
const localTime = (iso: string) => {
  const l = campus.calendar.local(Date.parse(iso));
  return `${l.date} ${String(Math.floor(l.minuteOfDay / 60)).padStart(2, '0')}:${String(l.minuteOfDay % 60).padStart(2, '0')}`;
};
for (const t of s.falseTickets) console.log(`    ${localTime(t.openedAt)} ${t.deviceId} ${t.condition} [${t.severity}] ${t.summary}`);
const cleanedUp = result.tickets.filter((t) => t.resolvedBy === 'eval').length;
console.log(`(${cleanedUp} tickets were resolved by the simulated office 30 min after their condition cleared)`);
console.log(`peak new tickets in any 10 minutes: ${s.peakNewIn10Min} (goal <= 10, incl. the gateway outage): ${floodOk ? 'yes' : 'NO'}`);
console.log(`\n${ok ? 'all goals met' : 'GOALS NOT MET'}`);
process.exitCode = ok ? 0 : 1;
