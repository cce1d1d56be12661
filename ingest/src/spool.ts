/**
 * The disk spool: an append-only queue of records in segment files, used while the reading
 * database is unreachable. `append` writes and fsyncs a record before it returns, so a batch may
 * be acknowledged to MQTT once it is spooled; a replayer then `peek`s, writes and `shift`s the
 * records in order. Delivery is at-least-once: the consumed position (`head.json`) is saved about
 * once a second, whenever a segment is deleted and on close, so after a crash the records
 * consumed since the last save are replayed (the stores are idempotent); a spooled record is
 * never lost. One process per directory.
 *
 * Format: `seg-000000000001.log`, ... (the number increases and is never reused, not even after
 * the spool was empty), each a run of frames [u32 LE payload length][u32 LE crc32 of the
 * payload][payload: UTF-8 JSON]. Memory holds a record count and byte size per segment and the
 * head cursor; payloads are read from disk on `peek`. `head.json` is {segment, offset}: segments
 * numbered below it are consumed, the named one is consumed up to `offset`.
 *
 * Recovery on open (a damaged file never makes `open` throw; only I/O errors do):
 * - a torn frame at the end of the last segment (a crash during `append`: short header, short
 *   payload, checksum mismatch on the final frame, or a zero-filled tail) is truncated away;
 * - any other bad frame (checksum mismatch or impossible length before the end of the file, or
 *   anything bad in an older segment) means the rest of that segment can't be trusted: the whole
 *   file is copied to `<name>.corrupt` (kept for inspection, never deleted by the spool), then
 *   the segment is cut just before the bad frame. The records before it stay in the queue, the
 *   rest of that segment is dropped (logged with counts), later segments are untouched. Copy
 *   then cut (rather than rename then rewrite) is crash-safe at every step.
 *
 * `maxBytes` bounds the unconsumed bytes; consumed bytes of the head segment stay on disk until
 * the whole segment is consumed, so the directory may hold up to one segment more.
 */
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 8;
const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** `append` refuses larger records, so a larger length on disk is damage */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const READ_AHEAD = 64 * 1024;
const HEAD_SAVE_MS = 1000;
const HEAD_FILE = 'head.json';
const SEGMENT_NAME = /^seg-(\d{12})\.log$/;
/** segments and their `.corrupt` copies: numbers are never reused */
const ANY_SEGMENT_FILE = /^seg-(\d+)\.log/;

export interface SpoolLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
}

export interface SpoolOptions {
  dir: string;
  /** the most unconsumed bytes the spool holds (CAMPUS_SPOOL_MAX_MB) */
  maxBytes: number;
  /** a new segment file is started when a record would take the current one beyond this; default 8 MiB */
  segmentBytes?: number;
  log?: SpoolLog;
  /** the clock of the once-a-second head save (tests) */
  now?: () => number;
}

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

export class SpoolFullError extends Error {
  constructor(
    readonly usedBytes: number,
    readonly maxBytes: number,
    readonly recordBytes: number,
  ) {
    super(
      `disk spool full: ${mb(usedBytes)} of ${mb(maxBytes)} MB used, a record of ${recordBytes} bytes does not fit; raise CAMPUS_SPOOL_MAX_MB to spool more`,
    );
    this.name = 'SpoolFullError';
  }
}

interface Segment {
  seq: number;
  name: string;
  count: number;
  size: number;
}

interface BadFrame {
  offset: number;
  reason: string;
  /** a crash during append: truncated with a warning, no `.corrupt` copy */
  torn: boolean;
}

interface Scan {
  count: number;
  /** the end of the last good frame */
  end: number;
  /** frames ending at or before the saved head offset, and where the last of them ends */
  consumed: number;
  consumedEnd: number;
  bad?: BadFrame;
}

const segmentName = (seq: number) => `seg-${String(seq).padStart(12, '0')}.log`;

export class Spool<T> {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly log: SpoolLog;
  private readonly now: () => number;
  /** oldest first; segments[0] is the head segment and, while the spool holds records, has some unconsumed */
  private readonly segments: Segment[] = [];
  /** the byte offset of the oldest unconsumed record in segments[0], and the records before it */
  private headOffset = 0;
  private headCount = 0;
  private totalRecords = 0;
  private totalBytes = 0;
  private nextSeq = 1;
  private tail?: { seq: number; fd: number };
  private reader?: { seq: number; fd: number; buf: Buffer; start: number };
  /** the text last written to (or read from) head.json, and when */
  private saved = '';
  private savedAt: number;
  private closed = false;

  private constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.log = opts.log ?? { warn() {}, info() {} };
    this.now = opts.now ?? Date.now;
    this.savedAt = this.now();
    if (!(this.maxBytes > 0) || !(this.segmentBytes > 0)) throw new RangeError(`spool: maxBytes and segmentBytes must be positive`);
  }

  /** Opens (creating) the spool in `opts.dir` and recovers from a crash: see the file header. */
  static open<T>(opts: SpoolOptions): Spool<T> {
    const spool = new Spool<T>(opts);
    spool.recover();
    return spool;
  }

  /** records not yet consumed */
  get depth(): number {
    return this.totalRecords - this.headCount;
  }

  /** bytes on disk of the records not yet consumed: what counts towards `maxBytes` */
  get bytes(): number {
    return this.totalBytes - this.headOffset;
  }

  get empty(): boolean {
    return this.depth === 0;
  }

  /** Appends a record durably (written and fsynced when this returns). Throws SpoolFullError, writing nothing, when it does not fit. */
  append(record: T): void {
    this.assertOpen();
    const json = JSON.stringify(record);
    if (json === undefined) throw new TypeError('spool: the record is not JSON-serialisable');
    const length = Buffer.byteLength(json, 'utf8');
    if (length > MAX_RECORD_BYTES) throw new RangeError(`spool: a record of ${length} bytes is larger than the ${MAX_RECORD_BYTES} allowed`);
    const frameBytes = HEADER + length;
    if (this.bytes + frameBytes > this.maxBytes) throw new SpoolFullError(this.bytes, this.maxBytes, frameBytes);
    const frame = Buffer.allocUnsafe(frameBytes);
    frame.write(json, HEADER, 'utf8');
    frame.writeUInt32LE(length, 0);
    frame.writeUInt32LE(crc32(frame.subarray(HEADER)), 4);

    let seg = this.segments.at(-1);
    if (!seg || (seg.size > 0 && seg.size + frameBytes > this.segmentBytes)) seg = this.newSegment();
    const fd = this.tailFd(seg);
    try {
      writeFully(fd, frame, seg.size);
      fsyncSync(fd);
    } catch (err) {
      try {
        ftruncateSync(fd, seg.size);
      } catch {
        // the disk is failing: the error below says so
      }
      throw err;
    }
    seg.size += frameBytes;
    seg.count++;
    this.totalRecords++;
    this.totalBytes += frameBytes;
  }

  /** The oldest record not yet consumed. */
  peek(): T | undefined {
    this.assertOpen();
    if (this.depth === 0) return undefined;
    const seg = this.segments[0]!;
    const { length, crc } = this.frameAt(seg, this.headOffset);
    const payload = this.read(seg, this.headOffset + HEADER, length);
    if (crc32(payload) !== crc)
      throw new Error(`spool: the record at ${seg.name}:${this.headOffset} fails its checksum: the disk changed it after it was written`);
    return JSON.parse(payload.toString('utf8')) as T;
  }

  /** Marks the oldest record consumed; a wholly consumed segment is deleted. */
  shift(): void {
    this.assertOpen();
    if (this.depth === 0) throw new Error('spool: shift() on an empty spool');
    const seg = this.segments[0]!;
    const { length } = this.frameAt(seg, this.headOffset);
    this.headOffset += HEADER + length;
    this.headCount++;
    if (this.headOffset >= seg.size) this.dropConsumed();
    else if (this.now() - this.savedAt >= HEAD_SAVE_MS) this.saveHead();
  }

  /** Saves the head position and closes the files. */
  close(): void {
    if (this.closed) return;
    try {
      this.saveHead();
    } finally {
      this.closed = true;
      this.closeTail();
      this.closeReader();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('spool: closed');
  }

  private recover(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const head = this.readHead();
    const headSeq = head?.seq ?? 0;
    let maxSeq = headSeq;
    const found: number[] = [];
    for (const name of readdirSync(this.dir)) {
      const any = ANY_SEGMENT_FILE.exec(name);
      if (any) maxSeq = Math.max(maxSeq, Number(any[1]));
      const seg = SEGMENT_NAME.exec(name);
      if (seg) found.push(Number(seg[1]));
    }
    this.nextSeq = maxSeq + 1;
    found.sort((a, b) => a - b);

    // consumed before the saved head, but the crash came before their deletion
    const stale = found.filter((seq) => seq < headSeq);
    for (const seq of stale) this.unlink(segmentName(seq));
    if (stale.length) this.log.info('spool: deleted segments consumed before a crash', { segments: stale.length });

    const live = found.filter((seq) => seq >= headSeq);
    live.forEach((seq, i) => {
      const name = segmentName(seq);
      const buf = readFileSync(join(this.dir, name));
      const headAt = seq === headSeq ? head!.offset : 0;
      const scan = scanSegment(buf, i === live.length - 1, headAt);
      if (scan.bad) this.repair(name, buf, scan, scan.bad);
      if (seq === headSeq) {
        if (scan.consumedEnd !== head!.offset) {
          this.log.warn('spool: the saved head is not at a record boundary; resuming at the one before it', {
            segment: name,
            saved: head!.offset,
            resumeAt: scan.consumedEnd,
          });
        }
        this.headOffset = scan.consumedEnd;
        this.headCount = scan.consumed;
      }
      this.segments.push({ seq, name, count: scan.count, size: scan.end });
      this.totalRecords += scan.count;
      this.totalBytes += scan.end;
    });
    this.dropConsumed();
    if (this.depth > 0) {
      this.log.info(`spool: ${this.depth} records (${mb(this.bytes)} MB) waiting to be replayed`, { dir: this.dir, segments: this.segments.length });
    }
  }

  private readHead(): { seq: number; offset: number } | undefined {
    let text: string;
    try {
      text = readFileSync(join(this.dir, HEAD_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const value = JSON.parse(text) as { segment?: unknown; offset?: unknown };
      const match = typeof value.segment === 'string' ? SEGMENT_NAME.exec(value.segment) : null;
      if (match && typeof value.offset === 'number' && Number.isSafeInteger(value.offset) && value.offset >= 0) {
        this.saved = JSON.stringify({ segment: value.segment, offset: value.offset });
        return { seq: Number(match[1]), offset: value.offset };
      }
    } catch {
      // reported below
    }
    this.log.warn(`spool: ${HEAD_FILE} is unreadable; replaying every spooled record (at-least-once)`, { dir: this.dir, text: text.slice(0, 200) });
    return undefined;
  }

  private repair(name: string, buf: Buffer, scan: Scan, bad: BadFrame): void {
    const path = join(this.dir, name);
    const fields = { segment: name, goodRecords: scan.count, offset: bad.offset, droppedBytes: buf.length - bad.offset, reason: bad.reason };
    if (bad.torn) {
      this.log.warn('spool: truncating a torn record at the end of the spool (a crash during append)', fields);
    } else {
      let copy = `${name}.corrupt`;
      for (let n = 2; existsSync(join(this.dir, copy)); n++) copy = `${name}.corrupt.${n}`;
      copyFileSync(path, join(this.dir, copy), constants.COPYFILE_EXCL);
      fsyncPath(join(this.dir, copy));
      fsyncPath(this.dir);
      this.log.warn(`spool: a damaged record; the segment is kept as ${copy} and cut before it, the rest of that segment is lost`, { ...fields, copy });
    }
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, bad.offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Deletes the wholly consumed segments at the head, saving the head first. */
  private dropConsumed(): void {
    const dropped: Segment[] = [];
    while (this.segments.length && this.headOffset >= this.segments[0]!.size) {
      const seg = this.segments.shift()!;
      this.totalRecords -= seg.count;
      this.totalBytes -= seg.size;
      this.headOffset = 0;
      this.headCount = 0;
      dropped.push(seg);
    }
    if (!dropped.length) return;
    this.saveHead();
    for (const seg of dropped) this.unlink(seg.name);
  }

  private unlink(name: string): void {
    const seq = Number(SEGMENT_NAME.exec(name)?.[1]);
    if (this.tail?.seq === seq) this.closeTail();
    if (this.reader?.seq === seq) this.closeReader();
    try {
      unlinkSync(join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Writes head.json atomically (tmp, fsync, rename, fsync dir) if the head moved. */
  private saveHead(): void {
    const first = this.segments[0];
    // with no segment, the next one to be created: nothing in it is consumed
    const text = JSON.stringify(first ? { segment: first.name, offset: this.headOffset } : { segment: segmentName(this.nextSeq), offset: 0 });
    this.savedAt = this.now();
    if (text === this.saved) return;
    const path = join(this.dir, HEAD_FILE);
    const fd = openSync(`${path}.tmp`, 'w', 0o600);
    try {
      writeFully(fd, Buffer.from(text + '\n'), 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${path}.tmp`, path);
    fsyncPath(this.dir);
    this.saved = text;
  }

  private newSegment(): Segment {
    const seq = this.nextSeq++;
    const name = segmentName(seq);
    const fd = openSync(join(this.dir, name), 'wx', 0o600);
    try {
      fsyncPath(this.dir);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.closeTail();
    this.tail = { seq, fd };
    const seg = { seq, name, count: 0, size: 0 };
    this.segments.push(seg);
    return seg;
  }

  private tailFd(seg: Segment): number {
    if (this.tail?.seq !== seg.seq) {
      this.closeTail();
      this.tail = { seq: seg.seq, fd: openSync(join(this.dir, seg.name), 'r+') };
    }
    return this.tail.fd;
  }

  private closeTail(): void {
    if (this.tail) closeSync(this.tail.fd);
    this.tail = undefined;
  }

  private closeReader(): void {
    if (this.reader) closeSync(this.reader.fd);
    this.reader = undefined;
  }

  private frameAt(seg: Segment, offset: number): { length: number; crc: number } {
    const header = this.read(seg, offset, HEADER);
    const length = header.readUInt32LE(0);
    const crc = header.readUInt32LE(4);
    if (length === 0 || offset + HEADER + length > seg.size) throw new Error(`spool: the record at ${seg.name}:${offset} has an impossible length ${length}`);
    return { length, crc };
  }

  /** `length` bytes at `offset` of a segment, through a read-ahead window that only holds bytes below its known size */
  private read(seg: Segment, offset: number, length: number): Buffer {
    if (this.reader?.seq !== seg.seq) {
      this.closeReader();
      this.reader = { seq: seg.seq, fd: openSync(join(this.dir, seg.name), 'r'), buf: Buffer.alloc(0), start: 0 };
    }
    const r = this.reader;
    if (offset < r.start || offset + length > r.start + r.buf.length) {
      r.buf = Buffer.allocUnsafe(Math.min(Math.max(length, READ_AHEAD), seg.size - offset));
      r.start = offset;
      readFully(r.fd, r.buf, offset);
    }
    return r.buf.subarray(offset - r.start, offset - r.start + length);
  }
}

/** Walks the frames of a segment; stops at the first bad one. */
function scanSegment(buf: Buffer, isLast: boolean, headOffset: number): Scan {
  let offset = 0;
  let count = 0;
  let consumed = 0;
  let consumedEnd = 0;
  while (offset < buf.length) {
    const bad = checkFrame(buf, offset, isLast);
    if (bad) return { count, end: offset, consumed, consumedEnd, bad };
    offset += HEADER + buf.readUInt32LE(offset);
    count++;
    if (offset <= headOffset) {
      consumed = count;
      consumedEnd = offset;
    }
  }
  return { count, end: offset, consumed, consumedEnd };
}

function checkFrame(buf: Buffer, offset: number, isLast: boolean): BadFrame | undefined {
  const rest = buf.length - offset;
  if (rest < HEADER) return { offset, reason: `${rest} bytes left, less than a frame header`, torn: isLast };
  const length = buf.readUInt32LE(offset);
  if (length === 0 || length > MAX_RECORD_BYTES) return { offset, reason: `impossible length ${length}`, torn: isLast && zeroFrom(buf, offset) };
  const end = offset + HEADER + length;
  if (end > buf.length) return { offset, reason: `a frame of ${length} bytes runs ${end - buf.length} bytes past the end of the file`, torn: isLast };
  if (crc32(buf.subarray(offset + HEADER, end)) !== buf.readUInt32LE(offset + 4))
    return { offset, reason: 'checksum mismatch', torn: isLast && end === buf.length };
  return undefined;
}

function zeroFrom(buf: Buffer, offset: number): boolean {
  for (let i = offset; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

function writeFully(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

function readFully(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length;) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error(`spool: unexpected end of file at ${position + done}`);
    done += n;
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
