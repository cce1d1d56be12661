/**
 * JSON from devices, before anything reads it: one JSON object, within the size limit, nested no
 * deeper than any device nests (MAX_JSON_DEPTH), and without the keys JavaScript gives a meaning
 * to (`__proto__`, `constructor`, `prototype`). Every adapter parses through here, so a hostile
 * payload is refused with its reason in one place, whatever format it claims to be.
 *
 * Why (docs/developing/platform-facts.md "JSON from devices"): `JSON.parse` turns `"__proto__"` into an own property that a
 * later spread or merge may copy onto a prototype; a 10,000-deep value makes `JSON.stringify` (a
 * log line, a cache) throw; no meter, plug, gateway or bridge nests deeper than a handful of levels.
 */
import { isUtf8 } from 'node:buffer';
import type { Validation } from './telemetry.ts';

/** Deepest nesting of objects and arrays accepted (Shelly's NotifyFullStatus, the deepest we map, has 4). */
export const MAX_JSON_DEPTH = 32;

/** Keys refused anywhere in a payload: no device sends them, and each is a way into an object's prototype. */
export const FORBIDDEN_JSON_KEYS: readonly string[] = Object.freeze(['__proto__', 'constructor', 'prototype']);

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of the text, counted on the bytes before parsing (so no parser, ours or a
 * later one, ever recurses into it); brackets inside strings do not count. Stops at `limit` + 1.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/** The path of the first forbidden key in a parsed value (`$.a[2].__proto__`), if any. Iterative: no recursion. */
export function forbiddenKey(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '$']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_JSON_KEYS.includes(key)) return `${path}.${key}`;
      stack.push([(v as Record<string, unknown>)[key], `${path}.${key.slice(0, 40)}`]);
    }
  }
  return undefined;
}

/** Where the first byte that breaks UTF-8 is, for the dead letter's reason ("byte 17: 0xff"). */
function invalidUtf8At(payload: Buffer): string {
  // the longest prefix that is UTF-8 (a sequence cut at its end allowed), by halving: a decoder that throws says only that, not where
  let lo = 0;
  let hi = payload.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return `byte ${lo}: 0x${payload[lo]?.toString(16).padStart(2, '0') ?? 'end'}`;
}

/** Parses a payload as one JSON object, within the size and depth limits and without forbidden keys. */
export function parseJsonObject(payload: Buffer | string, maxBytes: number): Validation<Record<string, unknown>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size === 0) return fail('empty payload');
  if (size > maxBytes) return fail(`payload is ${size} bytes, over the ${maxBytes}-byte limit`);
  // JSON is UTF-8 (RFC 8259 §8.1); toString would turn a broken sequence into U+FFFD and accept it
  if (typeof payload !== 'string' && !isUtf8(payload)) return fail(`payload is not valid UTF-8 (${invalidUtf8At(payload)})`);
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) return fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('payload must be a JSON object');
  const key = forbiddenKey(parsed);
  if (key) return fail(`key ${key} is not allowed (reserved in JavaScript; no device sends it)`);
  return { ok: true, value: parsed as Record<string, unknown> };
}
