/**
 * Derives eval/fixtures/real/bdg1-univdorm-prince/load.csv from the Building Data Genome project's
 * UnivDorm_Prince hourly file as published in irenekarijadi/RF-LSTM-CEEMDAN
 * ("Dataset/data of UnivDorm_Prince.csv", MIT; the data are the BDG project's, MIT): keeps the
 * `timestamp` and `energy` columns, unchanged, of the rows from 2015-08-26 00:00 to 2015-09-11 23:00.
 *
 *   npx tsx eval/scripts/derive-bdg1-univdorm-prince.ts "data of UnivDorm_Prince.csv" > eval/fixtures/real/bdg1-univdorm-prince/load.csv
 */
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: derive-bdg1-univdorm-prince.ts <source csv>');
const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const cols = header!.split(',');
const ts = cols.indexOf('timestamp');
const energy = cols.indexOf('energy');
const out = ['timestamp,energy'];
for (const line of lines) {
  const cells = line.split(',');
  const t = cells[ts]!;
  if (t >= '2015-08-26 00:00:00' && t <= '2015-09-11 23:00:00') out.push(`${t},${cells[energy]}`);
}
console.log(out.join('\n'));
