/**
 * Derives eval/fixtures/real/battledim-leaks/leaks.csv from BattLeDIM's leak list
 * (KIOS-Research/BattLeDIM, Scoring_Algorithm/competition_data/leakages_info.yalm: one line per
 * leak, "linkID, startTime, endTime, leakDiameter (m), leakType, peakTime"): the same 23 lines as
 * CSV with a header, values unchanged.
 *
 *   npx tsx eval/scripts/derive-battledim-leaks.ts leakages_info.yalm > eval/fixtures/real/battledim-leaks/leaks.csv
 */
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: derive-battledim-leaks.ts <leakages_info.yalm>');
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split(',').map((c) => c.trim()).join(','));
console.log(['linkID,startTime,endTime,leakDiameter_m,leakType,peakTime', ...rows].join('\n'));
