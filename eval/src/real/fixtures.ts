/** Where the committed real-data fixtures live, and a reader for their small CSV files. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REAL_FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/real/', import.meta.url));

/** Rows of a CSV file with a header line, as records of strings (no quoting: the fixtures have none). */
export function readCsv(relativePath: string): Record<string, string>[] {
  const lines = readFileSync(REAL_FIXTURES_DIR + relativePath, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const header = lines[0]!.split(',').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',').map((c) => c.trim());
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** A local wall-clock time 'YYYY-MM-DD HH:MM[:SS]' read as a time in the campus' zone (UTC+8). */
export const chinaTime = (local: string): number => Date.parse(`${local.replace(' ', 'T').slice(0, 16)}:00+08:00`);
