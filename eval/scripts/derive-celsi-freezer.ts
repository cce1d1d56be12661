/**
 * Measures the facts in eval/fixtures/real/celsi-freezer/freezer.json from the freezer log
 * CELSI-raw-data-reports.csv (Oleg-Solovyev/anomaly-detection; columns DateTime, Date, Time,
 * Time24, ISOdateTime, LinuxTime, Temperature, Humidity; one row a minute). Prints the minutes
 * (from the first row) at which the air rises through -10 °C, the author's own threshold
 * (make_model.py), the warmest reading of each warm-up, and the compressor cycle's range
 * between warm-ups. The defrost shape in freezer.json is the first defrost's readings at the listed
 * minutes from its crossing, read from the same rows.
 *
 *   npx tsx eval/scripts/derive-celsi-freezer.ts CELSI-raw-data-reports.csv
 */
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: derive-celsi-freezer.ts <CELSI-raw-data-reports.csv>');
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => {
    const cells = line.split(',');
    // the quoted DateTime holds a comma: count from the end
    return { linux: Number(cells[cells.length - 3]), temp: Number(cells[cells.length - 2]) };
  });
const t0 = rows[0]!.linux;
const crossings: { minute: number; peak: number }[] = [];
let quietMin = Number.POSITIVE_INFINITY;
let quietMax = Number.NEGATIVE_INFINITY;
for (let i = 1; i < rows.length; i++) {
  const r = rows[i]!;
  if (rows[i - 1]!.temp <= -10 && r.temp > -10) crossings.push({ minute: (r.linux - t0) / 60, peak: r.temp });
  const last = crossings[crossings.length - 1];
  if (last && (r.linux - t0) / 60 - last.minute < 90) last.peak = Math.max(last.peak, r.temp);
  else if (r.temp < -15) {
    quietMin = Math.min(quietMin, r.temp);
    quietMax = Math.max(quietMax, r.temp);
  }
}
console.log(JSON.stringify({ crossingMinutes: crossings.map((c) => c.minute), peaks: crossings.map((c) => c.peak), compressor: { minC: quietMin, maxC: quietMax } }));
