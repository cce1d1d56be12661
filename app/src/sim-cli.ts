/**
 * `npm run campus -- sim backfill --from YYYY-MM-DD [--to YYYY-MM-DD] [--step 15m] [--devices all|classroom|<id,id>]`:
 * the simulated campus over a past period, straight into the store (a term in minutes), then
 * rolled up, so the competition and reports have history. Works while `npm start` runs.
 */
import { backfill } from '@campus/device-sim';
import { openReadingStore } from '@campus/store';
import type { Knobs } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { option, parseDuration } from './args.ts';

export const SIM_USAGE = '  npm run campus -- sim backfill --from YYYY-MM-DD [--to YYYY-MM-DD] [--step 15m] [--devices all|classroom|<id,id>]';

export async function simCommand(args: string[], knobs: Readonly<Knobs>): Promise<boolean> {
  if (args[0] !== 'backfill') return false;
  const campus = loadCampus(knobs.campusConfig);
  const from = option(args, '--from');
  const to = option(args, '--to') ?? campus.calendar.local(Date.now()).date;
  if (!from || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || to < from)
    throw new Error('--from and --to are dates YYYY-MM-DD, from <= to');
  const stepMs = parseDuration(option(args, '--step') ?? '15m', '--step');
  if (stepMs <= 0) throw new Error('--step must be longer than 0');
  const which = option(args, '--devices') ?? 'all';
  const ids = new Set(which.split(','));
  const devices = which === 'all' ? () => true : which === 'classroom' ? (d: { class?: string }) => Boolean(d.class) : (d: { id: string }) => ids.has(d.id);
  const start = campus.calendar.startOfDay(from);
  const end = Math.min(campus.calendar.startOfDay(to) + 86_400_000, Date.now());
  const store = openReadingStore(knobs, [campus]);
  const t0 = Date.now();
  try {
    let lastReport = 0;
    const n = await backfill(store, campus, {
      ranges: [[start, end]],
      stepMs,
      devices,
      onProgress: (done, ts) => {
        if (Date.now() - lastReport < 2000) return;
        lastReport = Date.now();
        process.stdout.write(`  ${done.toLocaleString('en')} readings, up to ${campus.calendar.local(ts).date}\r`);
      },
    });
    const written = Date.now() - t0;
    let hours = 0;
    for (;;) {
      const r = await store.rollUp(5000);
      hours += r.hours;
      if (r.pending === 0 || r.hours === 0) break;
    }
    console.log(
      `${lastReport ? '\n' : ''}backfilled ${n.toLocaleString('en')} readings of ${campus.devices.filter(devices as never).length} devices, ${from} to ${to} every ${stepMs / 60_000} min, into ${store.name} in ${(written / 1000).toFixed(1)} s; rolled up ${hours.toLocaleString('en')} device-hours in ${((Date.now() - t0 - written) / 1000).toFixed(1)} s`,
    );
  } finally {
    store.close();
  }
  return true;
}
