// The pixel work of photo-store.ts, in a worker thread: decoding, turning upright, shrinking and
// encoding a 2-megapixel photo takes about a second in pure JavaScript, which would stall the
// dashboard's sockets and every other request. Plain JavaScript so that it runs as it is, from the
// source tree, under the tests and under the built bundle alike (photo-store.ts checks the bytes,
// the declared size and the quota before anything reaches here).
import { parentPort } from 'node:worker_threads';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** For EXIF orientations 2-8: where the upright image's pixel (x, y) is in the stored one (w × h). */
const SOURCE = {
  2: (x, y, w) => [w - 1 - x, y],
  3: (x, y, w, h) => [w - 1 - x, h - 1 - y],
  4: (x, y, _w, h) => [x, h - 1 - y],
  5: (x, y) => [y, x],
  6: (x, y, _w, h) => [y, h - 1 - x],
  7: (x, y, w, h) => [w - 1 - y, h - 1 - x],
  8: (x, y, w) => [w - 1 - y, x],
};

/** The image turned upright (EXIF orientation 2-8: mirrored and/or rotated). */
function upright(img, orientation) {
  const source = SOURCE[orientation];
  if (!source) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(ow * oh * 4);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      const [sx, sy] = source(x, y, w, h);
      const p = (sy * w + sx) * 4;
      out.set(data.subarray(p, p + 4), (y * ow + x) * 4);
    }
  return { width: ow, height: oh, data: out };
}

/** Shrunk by area averaging so that the long side is at most `maxSide`; transparency onto white. */
function shrink(img, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  const ow = Math.max(1, Math.round(img.width * scale));
  const oh = Math.max(1, Math.round(img.height * scale));
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(ow * oh * 4);
  for (let y = 0; y < oh; y++) {
    const y0 = Math.floor((y * h) / oh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / oh));
    for (let x = 0; x < ow; x++) {
      const x0 = Math.floor((x * w) / ow);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / ow));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++)
        for (let sx = x0, p = (sy * w + x0) * 4; sx < x1; sx++, p += 4) {
          const a = data[p + 3] / 255;
          r += data[p] * a + 255 * (1 - a);
          g += data[p + 1] * a + 255 * (1 - a);
          b += data[p + 2] * a + 255 * (1 - a);
        }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * ow + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = 255;
    }
  }
  return { width: ow, height: oh, data: out };
}

/** { kind: 'jpeg' | 'png', bytes, orientation, maxSide, maxPixels, quality } -> { ok, bytes, width, height } */
export function reencode({ kind, bytes, orientation, maxSide, maxPixels, quality }) {
  const data = Buffer.from(bytes);
  const decoded =
    kind === 'jpeg'
      ? jpeg.decode(data, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: 512 })
      : PNG.sync.read(data);
  if (decoded.width * decoded.height > maxPixels) throw new Error('too many pixels');
  const small = shrink(upright(decoded, orientation), maxSide);
  // a fresh copy: what the encoder returns may share node's buffer pool, which must not be transferred
  const out = new Uint8Array(jpeg.encode({ width: small.width, height: small.height, data: small.data }, quality).data);
  return { ok: true, bytes: out, width: small.width, height: small.height };
}

parentPort?.on('message', ({ id, job }) => {
  let reply;
  try {
    reply = reencode(job);
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort.postMessage({ id, reply }, reply.ok ? [reply.bytes.buffer] : []);
});
