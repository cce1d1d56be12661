import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '@campus/testkit';
import { Spool, SpoolFullError, type SpoolOptions } from '../src/spool.ts';

interface Rec {
  i: number;
  pad: string;
}

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function newDir(): string {
  const dir = tempDir('campus-spool-');
  dirs.push(dir);
  return dir.path;
}

const rec = (i: number): Rec => ({ i, pad: 'x'.repeat(40) });
/** 64 or 65 bytes for i < 100: three records fit a 200-byte segment */
const frameBytes = (r: unknown) => 8 + Buffer.byteLength(JSON.stringify(r));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const segFiles = (dir: string) =>
  readdirSync(dir)
    .filter((n) => /^seg-\d{12}\.log$/.test(n))
    .sort();
const sizes = (dir: string) => Object.fromEntries(readdirSync(dir).map((n) => [n, statSync(join(dir, n)).size]));

function memLog() {
  const warns: { msg: string; fields?: Record<string, unknown> }[] = [];
  return { warns, log: { warn: (msg: string, fields?: Record<string, unknown>) => warns.push({ msg, fields }), info() {} } };
}

function open(dir: string, opts: Partial<SpoolOptions> = {}) {
  return Spool.open<Rec>({ dir, maxBytes: 1 << 20, segmentBytes: 200, ...opts });
}

function append(spool: Spool<Rec>, from: number, to: number) {
  for (const i of range(from, to)) spool.append(rec(i));
}

/** consumes up to `max` records, returning their numbers */
function take(spool: Spool<Rec>, max = Infinity): number[] {
  const out: number[] = [];
  for (let r = spool.peek(); r && out.length < max; r = spool.peek()) {
    out.push(r.i);
    spool.shift();
  }
  return out;
}

/** 12 records in four 3-record segments, closed */
function fourSegments(dir: string): string[] {
  const spool = open(dir);
  append(spool, 0, 12);
  spool.close();
  const files = segFiles(dir);
  expect(files).toHaveLength(4);
  return files;
}

describe('disk spool', () => {
  it('returns records in order across segment rotations and unlinks consumed segments', () => {
    const dir = newDir();
    const spool = open(dir);
    append(spool, 0, 30);
    const files = segFiles(dir);
    expect(files).toHaveLength(10);
    expect(files[0]).toBe('seg-000000000001.log');

    expect(take(spool, 10)).toEqual(range(0, 10));
    expect(segFiles(dir)).toEqual(files.slice(3));
    append(spool, 30, 35);
    expect(take(spool)).toEqual(range(10, 35));
    expect(spool.peek()).toBeUndefined();
    expect(spool.empty).toBe(true);
    expect(spool.depth).toBe(0);
    expect(spool.bytes).toBe(0);
    expect(segFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, 'head.json'))).toBe(true);
    expect(() => spool.shift()).toThrow(/empty/);

    // interleaved with a single segment that is both head and tail
    append(spool, 35, 36);
    expect(take(spool)).toEqual([35]);
    append(spool, 36, 38);
    expect(spool.peek()).toEqual(rec(36));
    expect(spool.peek()).toEqual(rec(36));
    expect(take(spool)).toEqual([36, 37]);
    spool.close();
    expect(() => spool.append(rec(0))).toThrow(/closed/);
  });

  it('accounts depth and bytes of the unconsumed records, across a reopen', () => {
    const dir = newDir();
    const spool = open(dir);
    append(spool, 0, 5);
    const total = range(0, 5).reduce((sum, i) => sum + frameBytes(rec(i)), 0);
    expect(spool.depth).toBe(5);
    expect(spool.bytes).toBe(total);
    expect(Object.values(sizes(dir)).reduce((a, b) => a + b, 0)).toBe(total);
    expect(spool.empty).toBe(false);

    take(spool, 2);
    expect(spool.depth).toBe(3);
    expect(spool.bytes).toBe(total - frameBytes(rec(0)) - frameBytes(rec(1)));
    spool.close();

    const again = open(dir);
    expect(again.depth).toBe(3);
    expect(again.bytes).toBe(total - frameBytes(rec(0)) - frameBytes(rec(1)));
    again.close();
  });

  it('throws SpoolFullError at maxBytes and writes nothing', () => {
    const dir = newDir();
    const spool = open(dir, { maxBytes: frameBytes(rec(0)) * 4 + 10 });
    append(spool, 0, 4);
    const before = sizes(dir);
    let err: unknown;
    try {
      spool.append(rec(4));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpoolFullError);
    expect((err as Error).message).toMatch(/CAMPUS_SPOOL_MAX_MB/);
    expect((err as Error).message).toMatch(/full/);
    expect(spool.depth).toBe(4);
    expect(sizes(dir)).toEqual(before);

    // a record larger than the whole spool does not fit either
    expect(() => spool.append({ i: 99, pad: 'y'.repeat(1000) })).toThrow(SpoolFullError);

    // consuming makes room again
    take(spool, 1);
    spool.append(rec(4));
    expect(take(spool)).toEqual([1, 2, 3, 4]);
    spool.close();
  });

  it('resumes at the next record after close and reopen', () => {
    const dir = newDir();
    const spool = open(dir);
    append(spool, 0, 10);
    expect(take(spool, 4)).toEqual([0, 1, 2, 3]);
    spool.close();

    const again = open(dir);
    expect(again.depth).toBe(6);
    expect(again.peek()).toEqual(rec(4));
    append(again, 10, 12);
    expect(take(again)).toEqual(range(4, 12));
    again.close();
  });

  it('replays, never loses, records consumed after the last head save when it crashes (no close)', () => {
    const dir = newDir();
    let t = 0;
    const now = () => t;
    // one segment: only the clock saves the head
    const crashed = open(dir, { segmentBytes: 1 << 20, now });
    append(crashed, 0, 12);
    expect(take(crashed, 2)).toEqual([0, 1]);
    t = 1000;
    expect(take(crashed, 1)).toEqual([2]); // saves the head after record 2
    expect(take(crashed, 2)).toEqual([3, 4]); // not saved: less than a second later
    // crash: the object is dropped without close()

    const after = open(dir, { segmentBytes: 1 << 20, now });
    expect(after.depth).toBe(9);
    expect(take(after)).toEqual(range(3, 12));
    after.close();
  });

  it('saves the head when a segment is deleted: a crash after that replays nothing before it', () => {
    const dir = newDir();
    const crashed = open(dir, { now: () => 0 });
    append(crashed, 0, 9);
    expect(take(crashed, 4)).toEqual([0, 1, 2, 3]); // the first segment (0-2) deleted
    // crash

    const after = open(dir, { now: () => 0 });
    expect(take(after)).toEqual(range(3, 9));
    after.close();
  });

  it('replays everything when it crashes before any head save', () => {
    const dir = newDir();
    const crashed = open(dir, { segmentBytes: 1 << 20, now: () => 0 });
    append(crashed, 0, 5);
    take(crashed, 3);
    // crash

    const after = open(dir, { segmentBytes: 1 << 20 });
    expect(take(after)).toEqual(range(0, 5));
    after.close();
  });

  it('never reuses a segment number, so an old head.json cannot hide new records', () => {
    const dir = newDir();
    const spool = open(dir);
    append(spool, 0, 3);
    take(spool);
    spool.close();
    expect(segFiles(dir)).toEqual([]);
    // as if the unlink reached the disk but the last head save did not
    writeFileSync(join(dir, 'head.json'), JSON.stringify({ segment: 'seg-000000000001.log', offset: frameBytes(rec(0)) }));

    const again = open(dir);
    append(again, 3, 5);
    expect(segFiles(dir)).toEqual(['seg-000000000002.log']);
    // crash

    const after = open(dir);
    expect(take(after)).toEqual([3, 4]);
    after.close();
  });

  it.each([
    ['a short payload', (path: string, size: number) => truncateSync(path, size - 3)],
    ['a short length header', (path: string, size: number) => truncateSync(path, size - frameBytes(rec(4)) + 5)],
    [
      'a checksum mismatch on the final record',
      (path: string) => {
        const buf = readFileSync(path);
        buf[buf.length - 1]! ^= 0xff;
        writeFileSync(path, buf);
      },
    ],
  ])('truncates a torn record at the end of the last segment: %s', (_, damage) => {
    const dir = newDir();
    const spool = open(dir, { segmentBytes: 1 << 20 });
    append(spool, 0, 5);
    spool.close();
    const [file] = segFiles(dir);
    const path = join(dir, file!);
    damage(path, statSync(path).size);

    const { warns, log } = memLog();
    const again = open(dir, { segmentBytes: 1 << 20, log });
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toMatch(/torn/);
    expect(warns[0]!.fields).toMatchObject({ segment: file, goodRecords: 4 });
    expect(statSync(path).size).toBe(range(0, 4).reduce((sum, i) => sum + frameBytes(rec(i)), 0));
    expect(again.depth).toBe(4);
    again.append(rec(99));
    expect(take(again)).toEqual([0, 1, 2, 3, 99]);
    again.close();
    expect(readdirSync(dir).filter((n) => n.includes('corrupt'))).toEqual([]);
  });

  it('truncates a zero-filled tail without losing a record', () => {
    const dir = newDir();
    const spool = open(dir, { segmentBytes: 1 << 20 });
    append(spool, 0, 5);
    spool.close();
    const path = join(dir, segFiles(dir)[0]!);
    appendFileSync(path, Buffer.alloc(100));

    const { warns, log } = memLog();
    const again = open(dir, { segmentBytes: 1 << 20, log });
    expect(warns.map((w) => w.msg)).toEqual([expect.stringMatching(/torn/)]);
    expect(take(again)).toEqual(range(0, 5));
    again.close();
  });

  const payloadAt = (path: string, record: number) => {
    let offset = 0;
    const buf = readFileSync(path);
    for (let k = 0; k < record; k++) offset += 8 + buf.readUInt32LE(offset);
    return { buf, offset };
  };

  it.each([
    { where: 'a checksum mismatch in an older segment', file: 1, damage: 'crc', expected: [...range(0, 4), ...range(6, 12)] },
    { where: 'an impossible length in an older segment', file: 1, damage: 'length', expected: [...range(0, 4), ...range(6, 12)] },
    { where: 'a checksum mismatch before the end of the last segment', file: 3, damage: 'crc', expected: range(0, 10) },
  ])('keeps a segment with $where as .corrupt and the records around it', ({ file, damage, expected }) => {
    const dir = newDir();
    const files = fourSegments(dir);
    const name = files[file]!;
    const path = join(dir, name);
    const { buf, offset } = payloadAt(path, 1); // the second record of that segment
    if (damage === 'crc') buf[offset + 8 + 3]! ^= 0xff;
    else buf.writeUInt32LE(0xfffffff0, offset);
    writeFileSync(path, buf);

    const { warns, log } = memLog();
    const spool = open(dir, { log });
    expect(warns).toHaveLength(1);
    expect(warns[0]!.fields).toMatchObject({ segment: name, goodRecords: 1, offset, copy: `${name}.corrupt` });
    expect(readFileSync(join(dir, `${name}.corrupt`))).toEqual(buf);
    expect(statSync(path).size).toBe(offset);
    expect(spool.depth).toBe(expected.length);
    spool.append(rec(50));
    expect(take(spool)).toEqual([...expected, 50]);
    spool.close();
    // the copy stays for inspection; the repaired spool opens cleanly
    expect(existsSync(join(dir, `${name}.corrupt`))).toBe(true);
    const quiet = memLog();
    open(dir, { log: quiet.log }).close();
    expect(quiet.warns).toEqual([]);
  });

  it('opens whatever is on disk: garbage head.json, a garbage segment, an empty segment', () => {
    const dir = newDir();
    const files = fourSegments(dir);
    writeFileSync(join(dir, 'head.json'), '{"segment": 7');
    writeFileSync(join(dir, files[1]!), Buffer.from('not a spool segment at all, just some text'));
    writeFileSync(join(dir, files[2]!), Buffer.alloc(0));

    const { warns, log } = memLog();
    const spool = open(dir, { log });
    expect(warns.map((w) => w.msg)).toEqual([expect.stringMatching(/head\.json is unreadable/), expect.stringMatching(/damaged record/)]);
    expect(take(spool)).toEqual([0, 1, 2, 9, 10, 11]);
    expect(segFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, `${files[1]}.corrupt`))).toBe(true);
    spool.close();
  });

  it('creates its directory', () => {
    const dir = join(newDir(), 'spool', 'ingest');
    const spool = open(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    spool.append(rec(1));
    spool.close();
    const again = open(dir);
    expect(take(again)).toEqual([1]);
    again.close();
  });
});
