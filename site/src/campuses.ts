/**
 * CAMPUS_CONFIG may list several campus files, comma-separated: a broker serving a district knows the
 * devices of every site (ingest workers get their sites from the assignment file instead).
 */
import { loadCampus, type Campus } from './load.ts';

export function loadCampuses(config: string): Campus[] {
  const files = config
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const campuses = files.map((f) => loadCampus(f));
  const seen = new Map<string, string>();
  campuses.forEach((c, i) => {
    const other = seen.get(c.site.id);
    if (other) throw new Error(`CAMPUS_CONFIG: ${files[i]} and ${other} are both site "${c.site.id}"`);
    seen.set(c.site.id, files[i]!);
  });
  return campuses;
}
