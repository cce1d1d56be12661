/**
 * Which ingest worker reads which site (CAMPUS_INGEST_ASSIGNMENT), a YAML file next to the campus files:
 *
 *   sites:
 *     - id: dongnan
 *       campus: dongnan.yaml          # relative to this file
 *       workers: [ingest-1, ingest-2]  # the first one that is up reads the site
 *
 * Every worker reads the same file; edit it and each worker re-reads it within seconds, hands over
 * what it no longer owns, and takes what it now owns (worker.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { isValidId } from '@campus/contract';
import { CampusError } from '@campus/runtime';
import { loadCampus, type Campus } from '@campus/site';

const name = z.string().refine(isValidId, { error: 'must be a name of letters, digits, "_", "." or "-" (at most 64)' });
const assignmentSchema = z.strictObject({
  sites: z
    .array(z.strictObject({ id: name, campus: z.string().min(1), workers: z.array(name).min(1, { error: 'needs at least one worker' }) }))
    .min(1, { error: 'needs at least one site' }),
});

export interface SiteAssignment {
  siteId: string;
  campus: Campus;
  /** in order of preference: the first worker that is up reads the site */
  workers: string[];
}

export interface Assignment {
  file: string;
  /** the file's modification time when read (re-read when it changes) */
  mtimeMs: number;
  sites: SiteAssignment[];
}

/** Reads and checks the file, with every problem listed by path; loads each site's campus file. */
export function loadAssignment(file: string): Assignment {
  let raw: unknown;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CampusError('CAMPUS_ERR_CONFIG', `CAMPUS_INGEST_ASSIGNMENT=${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = assignmentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new CampusError('CAMPUS_ERR_CONFIG', `${file} (CAMPUS_INGEST_ASSIGNMENT):\n${problems.join('\n')}`);
  }
  const problems: string[] = [];
  const sites: SiteAssignment[] = [];
  const seen = new Set<string>();
  parsed.data.sites.forEach((s, i) => {
    if (seen.has(s.id)) problems.push(`sites.${i}.id: ${s.id} is listed twice`);
    seen.add(s.id);
    if (new Set(s.workers).size !== s.workers.length) problems.push(`sites.${i}.workers: a worker is listed twice`);
    const campusFile = resolve(dirname(file), s.campus);
    try {
      const campus = loadCampus(campusFile);
      if (campus.site.id !== s.id) problems.push(`sites.${i}.campus: ${campusFile} is site "${campus.site.id}", not "${s.id}"`);
      else sites.push({ siteId: s.id, campus, workers: s.workers });
    } catch (err) {
      problems.push(`sites.${i}.campus: ${(err as Error).message}`);
    }
  });
  if (problems.length) throw new CampusError('CAMPUS_ERR_CONFIG', `${file} (CAMPUS_INGEST_ASSIGNMENT):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { file, mtimeMs, sites };
}
