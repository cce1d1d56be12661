/**
 * The Node version package.json promises (`engines`) must run what the code calls: an API added
 * in a later minor release than the declared minimum fails at start-up on a machine that the
 * declaration says is fine (crc32 in node:zlib, which the spool frames with, came in 20.15; the
 * declaration said >=20.10). Each API below is checked to be used where the table says, so the
 * table cannot outlive the code it describes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Node built-ins we call that are younger than Node 20.0, with the release that added them (Node's docs, "Added in"). */
const NEWER_APIS: readonly { api: string; since: string; usedIn: string; pattern: RegExp }[] = [
  { api: 'zlib.crc32', since: '20.15.0', usedIn: 'ingest/src/spool.ts', pattern: /import \{[^}]*\bcrc32\b[^}]*\} from 'node:zlib'/ },
  { api: 'buffer.isUtf8', since: '19.4.0', usedIn: 'contract/src/json.ts', pattern: /import \{[^}]*\bisUtf8\b[^}]*\} from 'node:buffer'/ },
];

type Version = [number, number, number];
const parse = (v: string): Version => {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
};
const atLeast = (a: Version, b: Version): boolean => (a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2]);

/** The lowest version an `engines.node` range of the form ">=X.Y[.Z]" admits. */
function declaredMinimum(range: string): Version {
  const m = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(range.trim());
  if (!m) throw new Error(`engines.node "${range}" is not of the form >=X.Y.Z`);
  return parse(m[1]!);
}

const packageJson = (dir: string) =>
  JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { engines?: { node?: string }; workspaces?: string[] };

describe('engines.node covers the Node APIs the code uses', () => {
  const root = packageJson('.');
  const declared = [['.', root.engines?.node], ...(root.workspaces ?? []).map((w) => [w, packageJson(w).engines?.node] as const)].filter(
    (d): d is [string, string] => d[1] !== undefined,
  );

  it('the root declares a minimum', () => {
    expect(root.engines?.node).toBeDefined();
  });

  it.each(NEWER_APIS.map((a) => [a.api, a] as const))('%s is used where the table says', (_api, a) => {
    expect(readFileSync(join(ROOT, a.usedIn), 'utf8')).toMatch(a.pattern);
  });

  it.each(NEWER_APIS.map((a) => [a.api, a] as const))('every declared minimum (root and workspaces) admits no Node without %s', (_api, a) => {
    for (const [where, range] of declared) {
      expect(
        atLeast(declaredMinimum(range), parse(a.since)),
        `${where}/package.json engines.node "${range}" admits Node without ${a.api} (added in ${a.since})`,
      ).toBe(true);
    }
  });

  it('this Node meets the declared minimum', () => {
    expect(atLeast(parse(process.versions.node), declaredMinimum(root.engines!.node!))).toBe(true);
  });
});
