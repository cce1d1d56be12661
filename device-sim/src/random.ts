/**
 * Deterministic randomness. Noise is a function of (seed, stream, time bucket), not of call order,
 * so a device behaves the same whether it reports every 10 s or is backfilled for a term.
 */

/** 32-bit string hash (FNV-1a), for turning device ids into streams. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform [0, 1) from integers (a, b, c): a mixing function, not a sequence. */
export function unit(a: number, b: number, c = 0): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Symmetric noise in [-1, 1] for a stream at a bucket. */
export function noise(stream: number, bucket: number, salt = 0): number {
  return unit(stream, bucket, salt) * 2 - 1;
}

/** Smooth noise: linear between bucket values, so series do not jump at bucket edges. */
export function smoothNoise(stream: number, t: number, bucketMs: number, salt = 0): number {
  const x = t / bucketMs;
  const b = Math.floor(x);
  const f = x - b;
  return noise(stream, b, salt) * (1 - f) + noise(stream, b + 1, salt) * f;
}
