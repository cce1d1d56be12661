/**
 * Photos of repair requests (a reporter's from the public form, a worker's from the ticket page),
 * under CAMPUS_DATA_DIR/photos/. What comes in is judged by its bytes, never by its name or
 * declared type: JPEG and PNG are accepted (the form converts anything else, HEIC and WebP
 * included, to JPEG in a canvas before it uploads), everything else is 415. The image is decoded
 * with a pixel ceiling (a 3 MB PNG can claim 100 megapixels), turned upright by its EXIF
 * orientation, shrunk to at most 1600 px on its long side and encoded again as JPEG: what is kept
 * has no EXIF, GPS or any other metadata. That pixel work runs in a worker thread (photo-worker.mjs:
 * about a second per 2 megapixels in pure JavaScript), one photo at a time (each can take 150 MB
 * at the pixel ceiling), a short queue behind it. Stored under a random id of 128 bits within a disk quota (507 when full;
 * the uploader first sweeps the photos no ticket has, sweep()).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { REQUEST_LIMITS } from '@campus/contract';

export class PhotoError extends Error {
  constructor(
    readonly status: 413 | 415 | 422 | 503 | 507,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredPhoto {
  id: string;
  bytes: number;
  width: number;
  height: number;
}

export interface PhotoStoreOptions {
  /** the folder (created when missing) */
  dir: string;
  /** everything stored together at most (CAMPUS_PHOTO_QUOTA_MB) */
  quotaBytes: number;
  /** one upload at most (before re-encoding) */
  maxBytes?: number;
  /** the decoded image at most, width × height */
  maxPixels?: number;
  /** the long side of what is kept */
  maxSide?: number;
  /** decodes waiting behind the running one, at most; then 503 */
  maxQueued?: number;
}

export const PHOTO_DEFAULTS = Object.freeze({ quotaMb: 2048, maxPixels: 40_000_000, maxSide: 1600, maxQueued: 8, quality: 82 });

interface WorkerJob {
  kind: Kind;
  bytes: Uint8Array;
  orientation: number;
  maxSide: number;
  maxPixels: number;
  quality: number;
}
type WorkerReply = { ok: true; bytes: Uint8Array; width: number; height: number } | { ok: false };

const ID = /^[A-Za-z0-9_-]{22}$/;

type Kind = 'jpeg' | 'png';

/** The image format by its first bytes; a name of what it is otherwise, for the message. */
export function sniff(data: Uint8Array): Kind | { other: string } {
  const starts = (...bytes: number[]) => bytes.every((b, i) => data[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  const ascii = (from: number, to: number) => String.fromCharCode(...data.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { other: 'WebP' };
  if (ascii(4, 8) === 'ftyp') return { other: 'HEIC' };
  if (ascii(0, 3) === 'GIF') return { other: 'GIF' };
  return { other: '' };
}

/** width and height as the file declares them, before decoding anything */
function declaredSize(data: Buffer, kind: Kind): { width: number; height: number } | undefined {
  if (kind === 'png') return data.length >= 24 ? { width: data.readUInt32BE(16), height: data.readUInt32BE(20) } : undefined;
  // JPEG: the first start-of-frame marker (C0-CF but C4, C8, CC)
  let i = 2;
  while (i + 9 < data.length) {
    if (data[i] !== 0xff) return undefined;
    const marker = data[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = data.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  return undefined;
}

/** EXIF orientation (1-8) of a JPEG, 1 when it has none. */
export function exifOrientation(data: Buffer): number {
  let i = 2;
  while (i + 4 < data.length && data[i] === 0xff) {
    const marker = data[i + 1]!;
    const length = data.readUInt16BE(i + 2);
    if (marker === 0xda) break; // start of scan: no more headers
    if (marker === 0xe1 && data.toString('latin1', i + 4, i + 10) === 'Exif\0\0') {
      const tiff = i + 10;
      const le = data.toString('latin1', tiff, tiff + 2) === 'II';
      const u16 = (at: number) => (le ? data.readUInt16LE(at) : data.readUInt16BE(at));
      const u32 = (at: number) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
      const end = Math.min(data.length, i + 2 + length);
      const ifd = tiff + u32(tiff + 4);
      if (ifd + 2 > end) return 1;
      const entries = u16(ifd);
      for (let e = 0; e < entries; e++) {
        const at = ifd + 2 + e * 12;
        if (at + 12 > end) break;
        if (u16(at) === 0x0112) {
          const v = u16(at + 8);
          return v >= 1 && v <= 8 ? v : 1;
        }
      }
      return 1;
    }
    i += 2 + length;
  }
  return 1;
}

const unreadable = () => new PhotoError(422, 'bad_photo', '照片文件已损坏，无法读取 (the image cannot be read)');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

export class PhotoStore {
  readonly dir: string;
  readonly quotaBytes: number;
  readonly maxBytes: number;
  private readonly maxPixels: number;
  private readonly maxSide: number;
  private readonly maxQueued: number;
  /** bytes stored; counted on first use (the folder is made then too) */
  private usedBytes: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private worker: Worker | undefined;
  private jobs = 0;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();
  private queued = 0;

  constructor(opts: PhotoStoreOptions) {
    this.dir = opts.dir;
    this.quotaBytes = opts.quotaBytes;
    this.maxBytes = opts.maxBytes ?? REQUEST_LIMITS.photoBytes;
    this.maxPixels = opts.maxPixels ?? PHOTO_DEFAULTS.maxPixels;
    this.maxSide = opts.maxSide ?? PHOTO_DEFAULTS.maxSide;
    this.maxQueued = opts.maxQueued ?? PHOTO_DEFAULTS.maxQueued;
  }

  private get used(): number {
    if (this.usedBytes === undefined) {
      mkdirSync(this.dir, { recursive: true });
      this.usedBytes = readdirSync(this.dir)
        .filter((f) => f.endsWith('.jpg'))
        .reduce((sum, f) => sum + statSync(join(this.dir, f)).size, 0);
    }
    return this.usedBytes;
  }

  private set used(bytes: number) {
    this.usedBytes = bytes;
  }

  /** CAMPUS_DATA_DIR/photos with the quota of CAMPUS_PHOTO_QUOTA_MB (default 2048). */
  static inDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): PhotoStore {
    const raw = env.CAMPUS_PHOTO_QUOTA_MB?.trim();
    const quotaMb = raw ? Number(raw) : PHOTO_DEFAULTS.quotaMb;
    if (!Number.isInteger(quotaMb) || quotaMb < 1) throw new Error(`CAMPUS_PHOTO_QUOTA_MB: must be a whole number of MB >= 1 (got ${raw})`);
    return new PhotoStore({ dir: join(dataDir, 'photos'), quotaBytes: quotaMb * 1024 * 1024 });
  }

  /** bytes stored */
  usage(): number {
    return this.used;
  }

  /** Checks, decodes, re-encodes and keeps one photo; throws PhotoError. */
  put(data: Buffer): Promise<StoredPhoto> {
    if (data.length > this.maxBytes)
      return Promise.reject(new PhotoError(413, 'photo_too_large', `照片太大：最多 ${mb(this.maxBytes)} (a photo of at most ${mb(this.maxBytes)})`));
    const kind = sniff(data);
    if (typeof kind !== 'string') {
      const what = kind.other ? `${kind.other} ` : '';
      return Promise.reject(
        new PhotoError(
          415,
          'unsupported_photo',
          `不支持的图片格式${what ? `（${what.trim()}）` : ''}：请上传 JPEG 或 PNG 照片 (${what}not a JPEG or PNG image)`,
        ),
      );
    }
    if (this.used >= this.quotaBytes) return Promise.reject(this.full());
    if (this.queued >= this.maxQueued) return Promise.reject(new PhotoError(503, 'photo_busy', '服务器正忙，请稍后再试 (too many photos at once: try again)'));
    this.queued++;
    const run = this.queue.then(() => this.store(data, kind));
    this.queue = run.catch(() => {}).finally(() => this.queued--);
    return run;
  }

  /** A stored photo's JPEG bytes, or undefined (also for anything that is not an id). */
  get(id: string): Buffer | undefined {
    if (!ID.test(id)) return undefined;
    try {
      return readFileSync(join(this.dir, `${id}.jpg`));
    } catch {
      return undefined;
    }
  }

  static isId(id: unknown): id is string {
    return typeof id === 'string' && ID.test(id);
  }

  remove(id: string): void {
    if (!ID.test(id)) return;
    const file = join(this.dir, `${id}.jpg`);
    try {
      const size = statSync(file).size;
      unlinkSync(file);
      this.used -= size;
    } catch {
      // gone already
    }
  }

  /**
   * Deletes the photos no ticket has (`keep`) that were stored before `olderThan` (epoch ms): the
   * uploads of forms never sent. Returns the bytes freed.
   */
  sweep(keep: ReadonlySet<string>, olderThan: number): number {
    const before = this.used;
    for (const f of readdirSync(this.dir)) {
      const id = f.replace(/\.jpg$/, '');
      if (!f.endsWith('.jpg') || keep.has(id)) continue;
      try {
        if (statSync(join(this.dir, f)).mtimeMs < olderThan) this.remove(id);
      } catch {
        // removed meanwhile
      }
    }
    return before - this.used;
  }

  /** Runs one re-encoding in the worker thread (made on first use; it does not keep the process alive). */
  private inWorker(job: WorkerJob): Promise<WorkerReply> {
    if (!this.worker) {
      const worker = new Worker(new URL('./photo-worker.mjs', import.meta.url));
      worker.unref();
      worker.on('message', ({ id, reply }: { id: number; reply: WorkerReply }) => {
        this.waiting.get(id)?.(reply);
        this.waiting.delete(id);
      });
      // a worker that died (out of memory on a hostile image) fails what it had; the next photo gets a new one
      const failAll = () => {
        if (this.worker === worker) this.worker = undefined;
        for (const settle of this.waiting.values()) settle({ ok: false });
        this.waiting.clear();
      };
      worker.on('error', failAll);
      worker.on('exit', failAll);
      this.worker = worker;
    }
    const id = ++this.jobs;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker!.postMessage({ id, job });
    });
  }

  /** Ends the worker thread (tests; a running process leaves it, unreferenced). */
  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private full(): PhotoError {
    return new PhotoError(507, 'photo_storage_full', `照片存储空间已满（${mb(this.quotaBytes)}），请联系总务处 (photo storage is full)`);
  }

  private async store(data: Buffer, kind: Kind): Promise<StoredPhoto> {
    const size = declaredSize(data, kind);
    if (!size || size.width < 1 || size.height < 1) throw unreadable();
    if (size.width * size.height > this.maxPixels)
      throw new PhotoError(
        413,
        'photo_too_many_pixels',
        `照片像素过多（${size.width}×${size.height}）：最多 ${this.maxPixels / 1e6} 百万像素 (at most ${this.maxPixels / 1e6} megapixels)`,
      );
    const orientation = kind === 'jpeg' ? exifOrientation(data) : 1;
    const done = await this.inWorker({ kind, bytes: data, orientation, maxSide: this.maxSide, maxPixels: this.maxPixels, quality: PHOTO_DEFAULTS.quality });
    if (!done.ok) throw unreadable();
    const out = Buffer.from(done.bytes.buffer, done.bytes.byteOffset, done.bytes.byteLength);
    if (this.used + out.length > this.quotaBytes) throw this.full();
    const id = randomBytes(16).toString('base64url');
    const file = join(this.dir, `${id}.jpg`);
    writeFileSync(`${file}.tmp`, out);
    renameSync(`${file}.tmp`, file);
    this.used += out.length;
    return { id, bytes: out.length, width: done.width, height: done.height };
  }
}

const stores = new WeakMap<object, PhotoStore>();

/** The dashboard's photo store: deps.photos, else CAMPUS_DATA_DIR/photos, one per deps (the routes share it and its usage count). */
export function photoStoreOf(deps: { photos?: PhotoStore; dataDir?: string }): PhotoStore {
  if (deps.photos) return deps.photos;
  let store = stores.get(deps);
  if (!store) stores.set(deps, (store = PhotoStore.inDataDir(deps.dataDir ?? 'data')));
  return store;
}
