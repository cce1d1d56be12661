/**
 * A seeded fuzzer for MQTT 3.1.1 brokers, built on mqtt-packet. Each case is one connection:
 * valid packets of every type (generated with mqtt-packet) and then mutated — bit flips, inserted
 * and deleted bytes, truncation, corrupted remaining lengths (5-byte varints, lengths beyond the
 * data), wrong reserved flags, QoS 3, topics of raw bytes (invalid UTF-8, NUL), string lengths
 * beyond the packet — or packets before CONNECT, a second CONNECT, SUBSCRIBE without topics,
 * acknowledgements of ids never sent, valid and invalid packets interleaved, plain random bytes.
 *
 * A case depends on (seed, index) and the logins alone: `fuzzCase(seed, index, logins)` builds the
 * same bytes again, so a failure printed with its seed and index replays exactly. Where MQTT 3.1.1
 * (or the broker's documented limits) says what must happen, the case carries an expectation that
 * `runFuzzCase` checks: the connection is closed, the publish or subscription is refused, or the
 * connection still answers a PINGREQ.
 */
import { connect } from 'node:net';
import { generate, parser, type Packet } from 'mqtt-packet';
import { remainingLength } from './raw-mqtt.ts';

export const FUZZ_STRATEGIES = [
  'mutated',
  'remaining-length',
  'reserved-flags',
  'qos3',
  'topic-bytes',
  'string-length',
  'before-connect',
  'second-connect',
  'empty-subscribe',
  'unknown-ack',
  'interleaved',
  'connect-fields',
  'mqtt5',
  'oversized',
  'random-bytes',
] as const;
export type FuzzStrategy = (typeof FUZZ_STRATEGIES)[number];

/** how often each strategy is drawn (relative) */
const WEIGHTS: Record<FuzzStrategy, number> = {
  mutated: 8,
  'remaining-length': 4,
  'reserved-flags': 2,
  qos3: 2,
  'topic-bytes': 4,
  'string-length': 3,
  'before-connect': 2,
  'second-connect': 1,
  'empty-subscribe': 1,
  'unknown-ack': 2,
  interleaved: 4,
  'connect-fields': 4,
  mqtt5: 2,
  oversized: 1,
  'random-bytes': 3,
};

/** An identity the fuzzer logs in as, and the topics it owns (valid packets start from these). */
export interface FuzzLogin {
  clientId: string;
  username: string;
  password: string;
  /** concrete topics it may publish to */
  publish: string[];
  /** filters it may subscribe to (none for a device that may not subscribe) */
  subscribe: string[];
  /** topics it may set a will on */
  will: string[];
}

export type FuzzExpectation =
  /** the broker closes the connection */
  | 'close'
  /** the broker refuses: closes the connection, or answers SUBACK 0x80, and never acknowledges the publish */
  | 'refuse'
  /** the connection still answers a PINGREQ afterwards */
  | 'alive';

export interface FuzzCase {
  seed: number;
  index: number;
  strategy: FuzzStrategy;
  /** who logs in first (`connect` is sent and its CONNACK awaited before `chunks`); absent: the case starts on a fresh connection */
  login?: FuzzLogin;
  connect?: Buffer;
  /** the case's bytes, written in order, one chunk at a time */
  chunks: Buffer[];
  expect?: FuzzExpectation;
  /** MQTT packets the case was built from */
  packets: number;
  /** what was done, for the failure message */
  note: string;
}

export interface FuzzOptions {
  /** the broker's packet size limit: oversized cases announce more than this (default 64 KiB) */
  maxPacketBytes?: number;
}

/** The bytes of a case after its login, as one buffer. */
export const caseBytes = (c: FuzzCase): Buffer => Buffer.concat(c.chunks);

/** Hex of the first `max` bytes, with the total length when cut. */
export function hexOf(b: Buffer, max = 256): string {
  return b.length > max ? `${b.subarray(0, max).toString('hex')}… (${b.length} bytes)` : b.toString('hex');
}

// ---------------------------------------------------------------------------------------------
// randomness

/** mulberry32: small and fast; all of a case comes from one of these. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** an integer in [0, n) */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** an integer in [a, b] */
  range(a: number, b: number): number {
    return a + this.int(b - a + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[this.int(xs.length)] as T;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.int(entries.reduce((a, [, w]) => a + w, 0));
    for (const [k, w] of entries) {
      if (r < w) return k;
      r -= w;
    }
    return entries[0]![0];
  }
}

/** The seed of one case: (seed, index) mixed (murmur3's finaliser). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// raw packet pieces

/** The variable byte integer of a remaining length (any value up to 2^28 - 1). */
export const varint = (n: number): Buffer => Buffer.from(remainingLength(n));

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const asBuf = (s: Buffer | string) => (Buffer.isBuffer(s) ? s : Buffer.from(s));
/** a length-prefixed string, optionally announcing another length than it has */
const str = (s: Buffer | string, declared?: number) => {
  const b = asBuf(s);
  return Buffer.concat([u16(declared ?? b.length), b]);
};
/** a packet: first byte, remaining length, body */
export const frame = (byte0: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([byte0 & 0xff]), varint(body.length), body]);
};

/** A generated packet's first byte and body (its remaining length is recomputed by `frame`). */
function split(packet: Buffer): { byte0: number; body: Buffer } {
  let i = 1;
  while (i < packet.length && i < 5 && (packet[i]! & 0x80) !== 0) i++;
  return { byte0: packet[0]!, body: packet.subarray(i + 1) };
}

/** A CONNECT with any flags and fields (mqtt-packet would refuse to write some). */
export interface RawConnect {
  protocolId?: Buffer | string;
  version?: number;
  /** the flags byte as given (otherwise computed from the fields) */
  flags?: number;
  clean?: boolean;
  keepalive?: number;
  clientId: Buffer | string;
  will?: { topic: Buffer | string; payload: Buffer | string; qos: number; retain: boolean };
  username?: Buffer | string;
  password?: Buffer | string;
  /** announce another length for one of the strings */
  declare?: { field: 'protocolId' | 'clientId' | 'username' | 'password'; length: number };
}

export function rawConnect(o: RawConnect): Buffer {
  const will = o.will;
  const flags =
    o.flags ??
    (o.username !== undefined ? 0x80 : 0) |
      (o.password !== undefined ? 0x40 : 0) |
      (will ? 0x04 | ((will.qos & 3) << 3) | (will.retain ? 0x20 : 0) : 0) |
      (o.clean === false ? 0 : 0x02);
  const d = (field: string) => (o.declare?.field === field ? o.declare.length : undefined);
  const parts = [
    str(o.protocolId ?? 'MQTT', d('protocolId')),
    Buffer.from([o.version ?? 4, flags & 0xff]),
    u16(o.keepalive ?? 60),
    str(o.clientId, d('clientId')),
  ];
  if (will) parts.push(str(will.topic), str(will.payload));
  if (o.username !== undefined) parts.push(str(o.username, d('username')));
  if (o.password !== undefined) parts.push(str(o.password, d('password')));
  return frame(0x10, ...parts);
}

const rawPublish = (topic: Buffer, qos: number, messageId: number, payload: Buffer, declared?: number) =>
  frame(0x30 | ((qos & 3) << 1), str(topic, declared), qos > 0 ? u16(messageId) : Buffer.alloc(0), payload);

const rawSubscribe = (messageId: number, subs: [Buffer, number][], declared?: number) =>
  frame(0x82, u16(messageId), ...subs.flatMap(([t, q], i) => [str(t, i === 0 ? declared : undefined), Buffer.from([q])]));

const rawUnsubscribe = (messageId: number, filters: Buffer[], declared?: number) =>
  frame(0xa2, u16(messageId), ...filters.map((t, i) => str(t, i === 0 ? declared : undefined)));

/** byte sequences that are not UTF-8 */
const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xfe], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98]];
const CONTROL = [0x00, 0x01, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f];
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff, 0x10, 0x30, 0x32, 0x34, 0x36, 0x82, 0xa2, 0xc0, 0xe0, 0x23, 0x2b, 0x2f, 0x24];

const CLIENT_CMDS = ['connect', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect'] as const;
const SERVER_CMDS = ['connack', 'suback', 'unsuback', 'pingresp'] as const;
type Cmd = (typeof CLIENT_CMDS)[number] | (typeof SERVER_CMDS)[number];
/** the fixed header flags MQTT 3.1.1 requires of each type but PUBLISH */
const REQUIRED_FLAGS: Record<number, number> = { 1: 0, 2: 0, 4: 0, 5: 0, 6: 2, 7: 0, 8: 2, 9: 0, 10: 2, 11: 0, 12: 0, 13: 0, 14: 0, 15: 0 };

// ---------------------------------------------------------------------------------------------
// generation

interface Built {
  chunks: Buffer[];
  /** log in first */
  login: boolean;
  /** the login's clean session flag (default: random, mostly clean) */
  clean?: boolean;
  expect?: FuzzExpectation;
  packets: number;
  note: string;
}

class Gen {
  constructor(
    readonly index: number,
    readonly rng: Rng,
    readonly login: FuzzLogin | undefined,
    readonly logins: readonly FuzzLogin[],
    readonly maxPacketBytes: number,
  ) {}

  messageId(): number {
    return this.rng.chance(0.1) ? this.rng.pick([0, 1, 65535]) : this.rng.range(1, 65535);
  }

  topic(): string {
    const { rng, login } = this;
    if (login?.publish.length && rng.chance(0.8)) return rng.pick(login.publish);
    return rng.pick(['campus/x/y/telemetry', 'tele/other/SENSOR', 'a', 'a/b/c', '/', 'zigbee2mqtt/设备', 'stat/x/RESULT']);
  }

  filter(): string {
    const { rng, login } = this;
    if (login?.subscribe.length && rng.chance(0.7)) return rng.pick(login.subscribe);
    return rng.pick(['campus/#', '#', '+/+', 'tele/+/SENSOR', 'a/b', '$SYS/#', this.topic()]);
  }

  payload(): Buffer {
    const { rng } = this;
    switch (rng.int(4)) {
      case 0:
        return Buffer.from(JSON.stringify({ ts: 1_700_000_000_000 + rng.int(1e9), seq: rng.int(1e6), values: { kwh: rng.int(1e5) / 10 } }));
      case 1:
        return Buffer.alloc(0);
      case 2:
        return rng.bytes(rng.range(1, 64));
      default:
        return Buffer.from(rng.pick(['{}', '[]', 'null', '{"ts":1e400}', '{"__proto__":{"x":1}}', '"\u0000"', 'x'.repeat(rng.range(100, 2000))]));
    }
  }

  connectPacket(login: FuzzLogin | undefined, over: Record<string, unknown> = {}): Record<string, unknown> {
    const { rng } = this;
    const will =
      login?.will.length && rng.chance(0.2)
        ? { topic: rng.pick(login.will), payload: Buffer.from('{"status":"offline"}'), qos: rng.int(3), retain: rng.chance(0.5) }
        : undefined;
    return {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: rng.chance(0.8),
      keepalive: rng.pick([0, 30, 60, 300, 65535]),
      clientId: login?.clientId ?? `fuzz-${rng.int(1e6)}`,
      ...(login ? { username: login.username, password: Buffer.from(login.password) } : {}),
      ...(will ? { will } : {}),
      ...over,
    };
  }

  /** The fields of a valid MQTT 3.1.1 packet of this type. */
  packet(cmd: Cmd): Record<string, unknown> {
    const { rng } = this;
    switch (cmd) {
      case 'connect':
        return this.connectPacket(rng.chance(0.7) ? this.login : undefined);
      case 'connack':
        return { cmd, returnCode: rng.int(6), sessionPresent: rng.chance(0.3) };
      case 'publish': {
        const qos = rng.int(3);
        return {
          cmd,
          topic: this.topic(),
          payload: this.payload(),
          qos,
          retain: rng.chance(0.2),
          dup: qos > 0 && rng.chance(0.2),
          messageId: qos ? this.messageId() : undefined,
        };
      }
      case 'puback':
      case 'pubrec':
      case 'pubrel':
      case 'pubcomp':
      case 'unsuback':
        return { cmd, messageId: this.messageId() };
      case 'subscribe':
        return { cmd, messageId: this.messageId(), subscriptions: Array.from({ length: rng.range(1, 3) }, () => ({ topic: this.filter(), qos: rng.int(3) })) };
      case 'suback':
        return { cmd, messageId: this.messageId(), granted: Array.from({ length: rng.range(1, 3) }, () => rng.pick([0, 1, 2, 128])) };
      case 'unsubscribe':
        return { cmd, messageId: this.messageId(), unsubscriptions: Array.from({ length: rng.range(1, 3) }, () => this.filter()) };
      case 'pingreq':
      case 'pingresp':
      case 'disconnect':
        return { cmd };
    }
  }

  /** A valid packet's bytes, generated by mqtt-packet. */
  valid(cmds: readonly Cmd[] = [...CLIENT_CMDS, ...CLIENT_CMDS, ...SERVER_CMDS]): { cmd: Cmd; bytes: Buffer } {
    const cmd = this.rng.pick(cmds);
    return { cmd, bytes: generate(this.packet(cmd) as never) };
  }

  /** One to three random mutations of `b`. */
  mutate(b: Buffer): { bytes: Buffer; how: string[] } {
    const { rng } = this;
    let out = Buffer.from(b);
    const how: string[] = [];
    for (let n = rng.range(1, 3); n > 0; n--) {
      const at = rng.int(out.length + 1);
      switch (rng.int(7)) {
        case 0: {
          const flips = rng.range(1, 8);
          for (let i = 0; i < flips && out.length; i++) {
            const p = rng.int(out.length);
            out[p] = out[p]! ^ (1 << rng.int(8));
          }
          how.push(`${flips} bit flips`);
          break;
        }
        case 1: {
          const ins = rng.chance(0.5) ? rng.bytes(rng.range(1, 16)) : Buffer.from([rng.pick(INTERESTING)]);
          out = Buffer.concat([out.subarray(0, at), ins, out.subarray(at)]);
          how.push(`${ins.length} bytes inserted at ${at}`);
          break;
        }
        case 2: {
          const len = rng.range(1, 16);
          out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
          how.push(`${len} bytes deleted at ${at}`);
          break;
        }
        case 3: {
          const len = rng.int(out.length);
          out = out.subarray(0, len);
          how.push(`truncated to ${len}`);
          break;
        }
        case 4: {
          const from = rng.int(out.length + 1);
          const piece = out.subarray(from, from + rng.range(1, 32));
          out = Buffer.concat([out.subarray(0, at), piece, out.subarray(at)]);
          how.push(`${piece.length} bytes duplicated at ${at}`);
          break;
        }
        case 5: {
          if (out.length) out[rng.int(out.length)] = rng.pick(INTERESTING);
          how.push('a byte overwritten');
          break;
        }
        default: {
          // the header, where the parser decides everything else
          if (out.length) out[0] = rng.chance(0.5) ? rng.int(256) : out[0]! ^ (1 << rng.int(8));
          how.push('first byte changed');
        }
      }
    }
    return { bytes: out, how };
  }

  /** A topic of raw bytes from `base`; `refused` when every broker must refuse it (as a topic, or as a filter when !publish). */
  weirdTopic(base: string, publish: boolean): { bytes: Buffer; refused: boolean; what: string } {
    const { rng } = this;
    const b = Buffer.from(base);
    const at = rng.int(b.length + 1);
    const insert = (x: Buffer | number[]) => Buffer.concat([b.subarray(0, at), Buffer.from(x), b.subarray(at)]);
    switch (rng.int(10)) {
      case 0: {
        const seq = rng.pick(INVALID_UTF8);
        return { bytes: insert(seq), refused: true, what: `invalid UTF-8 ${Buffer.from(seq).toString('hex')}` };
      }
      case 1: {
        const c = rng.pick(CONTROL);
        return { bytes: insert([c]), refused: true, what: `control byte ${c.toString(16)}` };
      }
      case 2: {
        const w = rng.pick(['+', '#', '/#', '/+/']);
        return { bytes: insert(Buffer.from(w)), refused: publish, what: `wildcard ${w}` };
      }
      case 3: {
        const p = rng.pick(['$SYS/', '$share/g/', '$']);
        return { bytes: Buffer.concat([Buffer.from(p), b]), refused: true, what: `${p} prefix` };
      }
      case 4:
        return { bytes: Buffer.alloc(0), refused: true, what: 'empty' };
      case 5: {
        const n = rng.range(300, 5000);
        return { bytes: Buffer.from(`${base}/${'x'.repeat(n)}`), refused: true, what: `${n + 1} characters longer` };
      }
      case 6: {
        const n = rng.range(17, 300);
        return { bytes: Buffer.from(`${base}${'/a'.repeat(n)}`), refused: true, what: `${n} levels deeper` };
      }
      case 7:
        return { bytes: insert(Buffer.from('\uFFFD')), refused: true, what: 'U+FFFD' };
      case 8: {
        const s = rng.pick(['\u{1F600}', '设备', '\uFEFF', 'é', '\u2028']);
        return { bytes: Buffer.from(`${base}/${s}`), refused: false, what: `valid UTF-8 ${JSON.stringify(s)}` };
      }
      default:
        return { bytes: rng.bytes(rng.range(1, 64)), refused: false, what: 'random bytes' };
    }
  }
}

type Builder = (g: Gen) => Built;

const BUILDERS: Record<FuzzStrategy, Builder> = {
  mutated(g) {
    const { rng } = g;
    const n = rng.range(1, 3);
    const chunks: Buffer[] = [];
    const notes: string[] = [];
    const mutated = rng.int(n);
    for (let i = 0; i < n; i++) {
      const v = g.valid();
      if (i === mutated || rng.chance(0.3)) {
        const m = g.mutate(v.bytes);
        chunks.push(m.bytes);
        notes.push(`${v.cmd} (${m.how.join(', ')})`);
      } else {
        chunks.push(v.bytes);
        notes.push(v.cmd);
      }
    }
    return { chunks, login: rng.chance(0.7), packets: n, note: notes.join(' + ') };
  },

  'remaining-length'(g) {
    const { rng } = g;
    const v = g.valid();
    const { byte0, body } = split(v.bytes);
    const variants = ['five-byte', 'non-minimal', 'beyond', 'beyond-limit', 'short', 'zero', 'max'] as const;
    const variant = rng.pick(variants);
    let len: Buffer;
    let expect: FuzzExpectation | undefined;
    switch (variant) {
      case 'five-byte':
        len = Buffer.from(
          rng.pick([
            [0xff, 0xff, 0xff, 0xff, 0x7f],
            [0x80, 0x80, 0x80, 0x80, 0x00],
            [0x80 | (body.length % 128), 0x80, 0x80, 0x80, 0x01],
          ]),
        );
        expect = 'close';
        break;
      case 'non-minimal':
        // the same value with a padding byte of zero: [MQTT-1.5.5] wants the shortest form
        len = Buffer.concat([Buffer.from(varint(body.length).map((x, i, a) => (i === a.length - 1 ? x | 0x80 : x))), Buffer.from([0])]);
        break;
      case 'beyond':
        len = varint(body.length + rng.range(1, 4096));
        break;
      case 'beyond-limit':
        len = varint(rng.range(g.maxPacketBytes + 1, 268_435_455));
        expect = 'close';
        break;
      case 'short':
        len = varint(rng.int(Math.max(body.length, 1)));
        break;
      case 'zero':
        len = Buffer.from([0]);
        break;
      default:
        len = Buffer.from([0xff, 0xff, 0xff, 0x7f]);
        expect = 'close';
    }
    return {
      chunks: [Buffer.concat([Buffer.from([byte0]), len, body])],
      login: rng.chance(0.6),
      expect,
      packets: 1,
      note: `${v.cmd} with remaining length ${variant} (${len.toString('hex')}, body ${body.length} bytes)`,
    };
  },

  'reserved-flags'(g) {
    const { rng } = g;
    const login = rng.chance(0.6);
    if (rng.chance(0.2)) {
      // types 0 and 15 (AUTH, MQTT 5 only) do not exist in 3.1.1
      const type = rng.pick([0, 15]);
      return { chunks: [frame((type << 4) | rng.int(16), rng.bytes(rng.int(8)))], login, expect: 'close', packets: 1, note: `packet type ${type}` };
    }
    const v = g.valid(CLIENT_CMDS.filter((c) => c !== 'publish'));
    const type = v.bytes[0]! >> 4;
    const required = REQUIRED_FLAGS[type] ?? 0;
    let flags = rng.int(16);
    if (flags === required) flags ^= 1 << rng.int(4);
    const bytes = Buffer.from(v.bytes);
    bytes[0] = (type << 4) | flags;
    return {
      chunks: [bytes],
      login,
      expect: 'close',
      packets: 1,
      note: `${v.cmd} with header flags ${flags.toString(2).padStart(4, '0')} (must be ${required.toString(2).padStart(4, '0')})`,
    };
  },

  qos3(g) {
    const { rng, login } = g;
    const variant = rng.pick(['publish', 'subscribe', 'will'] as const);
    if (variant === 'will' && login?.will.length) {
      // [MQTT-3.1.2-14]: a Will QoS of 3 is a protocol violation (the parser does not check it)
      const will = { topic: rng.pick(login.will), payload: '{"status":"offline"}', qos: 3, retain: rng.chance(0.5) };
      const bytes = rawConnect({ clientId: login.clientId, username: login.username, password: login.password, will, clean: rng.chance(0.7) });
      return {
        chunks: [bytes],
        login: false,
        expect: 'close',
        packets: 1,
        note: `CONNECT of ${login.username} with will QoS 3 on ${will.topic}${will.retain ? ' (retained)' : ''}`,
      };
    }
    if (variant === 'subscribe') {
      const bytes = rawSubscribe(g.messageId(), [[Buffer.from(g.filter()), 3 | (rng.chance(0.3) ? 0xfc & rng.int(256) : 0)]]);
      return { chunks: [bytes], login: rng.chance(0.8), expect: 'close', packets: 1, note: 'SUBSCRIBE requesting QoS 3' };
    }
    const bytes = Buffer.from(rawPublish(Buffer.from(g.topic()), 2, g.messageId(), g.payload()));
    bytes[0] = 0x36 | (rng.chance(0.3) ? 0x08 : 0) | (rng.chance(0.3) ? 0x01 : 0);
    return { chunks: [bytes], login: rng.chance(0.8), expect: 'close', packets: 1, note: 'PUBLISH with QoS 3' };
  },

  'topic-bytes'(g) {
    const { rng, login } = g;
    const kind = rng.pick(['publish', 'publish', 'subscribe', 'unsubscribe'] as const);
    if (kind === 'publish') {
      const w = g.weirdTopic(g.topic(), true);
      const qos = rng.int(3);
      return {
        chunks: [rawPublish(w.bytes, qos, g.messageId() || 1, g.payload())],
        login: true,
        expect: w.refused ? 'refuse' : undefined,
        packets: 1,
        note: `PUBLISH QoS ${qos} to a topic with ${w.what}: ${hexOf(w.bytes, 64)}`,
      };
    }
    const w = g.weirdTopic(login?.subscribe[0] ?? g.filter(), false);
    if (kind === 'subscribe') {
      return {
        chunks: [rawSubscribe(g.messageId() || 1, [[w.bytes, rng.int(3)]])],
        login: true,
        expect: w.refused ? 'refuse' : undefined,
        packets: 1,
        note: `SUBSCRIBE to a filter with ${w.what}: ${hexOf(w.bytes, 64)}`,
      };
    }
    return { chunks: [rawUnsubscribe(g.messageId() || 1, [w.bytes])], login: true, packets: 1, note: `UNSUBSCRIBE a filter with ${w.what}` };
  },

  'string-length'(g) {
    const { rng, login } = g;
    const kind = rng.pick(['publish', 'subscribe', 'unsubscribe', 'protocolId', 'clientId', 'username', 'password'] as const);
    const declared = (actual: number, rest: number) =>
      rng.pick([0xffff, 0x8000, actual + 1, actual + rest + 1, rng.range(actual + rest + 1, 0xffff), rng.int(0x10000), Math.max(0, actual - 1)]);
    if (kind === 'publish' || kind === 'subscribe' || kind === 'unsubscribe') {
      const topic = Buffer.from(kind === 'publish' ? g.topic() : g.filter());
      const payload = g.payload();
      const qos = rng.int(3);
      // bytes after the string's length field: the string itself and what follows it
      const after = topic.length + (kind === 'publish' ? (qos ? 2 : 0) + payload.length : kind === 'subscribe' ? 1 : 0);
      const d = declared(topic.length, after - topic.length);
      const bytes =
        kind === 'publish'
          ? rawPublish(topic, qos, g.messageId() || 1, payload, d)
          : kind === 'subscribe'
            ? rawSubscribe(g.messageId() || 1, [[topic, rng.int(3)]], d)
            : rawUnsubscribe(g.messageId() || 1, [topic], d);
      return {
        chunks: [bytes],
        login: rng.chance(0.8),
        expect: d > after ? 'close' : undefined,
        packets: 1,
        note: `${kind.toUpperCase()} whose topic announces ${d} bytes (has ${topic.length}, ${after} left)`,
      };
    }
    // CONNECT: the protocol name, client id, username or password announces another length
    const fields = { protocolId: 'MQTT', clientId: login?.clientId ?? 'fuzz', username: login?.username ?? 'fuzz', password: login?.password ?? 'fuzz' };
    const order = ['protocolId', 'clientId', 'username', 'password'] as const;
    const actual = Buffer.byteLength(fields[kind]);
    // what follows the field's length in the packet, after the variable header
    const rest = order.slice(order.indexOf(kind) + 1).reduce((a, f) => a + 2 + Buffer.byteLength(fields[f]), 0) + (kind === 'protocolId' ? 4 : 0);
    let d = declared(actual, rest);
    if (kind === 'protocolId' && d === 4) d = 5;
    const bytes = rawConnect({ ...fields, declare: { field: kind, length: d } });
    // a protocol name of another length is never "MQTT"; any other string running past the packet is malformed
    const beyond = d > actual + rest;
    return {
      chunks: [bytes],
      login: false,
      expect: kind === 'protocolId' || beyond ? 'close' : undefined,
      packets: 1,
      note: `CONNECT whose ${kind} announces ${d} bytes (has ${actual}, ${rest} after it)`,
    };
  },

  'before-connect'(g) {
    const { rng } = g;
    const n = rng.range(1, 3);
    const packets = Array.from({ length: n }, () => g.valid(CLIENT_CMDS.filter((c) => c !== 'connect')));
    if (rng.chance(0.3)) packets.push({ cmd: 'connect', bytes: generate(g.connectPacket(g.login) as never) });
    // [MQTT-3.1.0-1]: the first packet must be CONNECT; anything else closes the connection
    return { chunks: packets.map((p) => p.bytes), login: false, expect: 'close', packets: packets.length, note: packets.map((p) => p.cmd).join(' + ') };
  },

  'second-connect'(g) {
    const { rng } = g;
    const other = rng.chance(0.5) || !g.logins.length ? g.login : rng.pick(g.logins);
    const bytes = generate(g.connectPacket(other, rng.chance(0.3) ? { clientId: `fuzz-${rng.int(1e6)}` } : {}) as never);
    // [MQTT-3.1.0-2]: a second CONNECT is a protocol violation
    return { chunks: [bytes], login: true, expect: 'close', packets: 1, note: `a second CONNECT${other ? ` as ${other.username}` : ''}` };
  },

  'empty-subscribe'(g) {
    const { rng } = g;
    const sub = rng.chance(0.5);
    const bytes = frame(sub ? 0x82 : 0xa2, u16(g.messageId() || 1));
    // [MQTT-3.8.3-3], [MQTT-3.10.3-2]: a SUBSCRIBE or UNSUBSCRIBE without topics is a protocol violation
    return { chunks: [bytes], login: rng.chance(0.9), expect: 'close', packets: 1, note: `${sub ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} with no topics` };
  },

  'unknown-ack'(g) {
    const { rng } = g;
    const n = rng.range(1, 10);
    const acks = Array.from({ length: n }, () => {
      const cmd = rng.pick(['puback', 'pubrec', 'pubrel', 'pubcomp'] as const);
      return { cmd, bytes: generate({ cmd, messageId: g.messageId() } as never) };
    });
    // aedes answers a PUBREC for an unknown id with PUBREL on a clean session, and closes a
    // persistent one (its persistence has "no such packet"): both are fine by 3.1.1, so a PUBREC
    // is only sent on a clean session, where the connection must go on
    const clean = acks.some((a) => a.cmd === 'pubrec') ? true : rng.chance(0.5);
    return {
      chunks: acks.map((a) => a.bytes),
      login: true,
      clean,
      expect: 'alive',
      packets: n,
      note: `${acks.map((a) => a.cmd).join(' + ')} (${clean ? 'clean' : 'persistent'} session)`,
    };
  },

  interleaved(g) {
    const { rng, login } = g;
    const n = rng.range(4, 16);
    const chunks: Buffer[] = [];
    const notes: string[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        // a valid packet a device of this identity would send
        const qos = rng.int(2);
        const valid = rng.pick([
          () => ({
            cmd: `publish q${qos}`,
            bytes: generate({
              cmd: 'publish',
              topic: g.topic(),
              payload: g.payload(),
              qos,
              retain: false,
              dup: false,
              messageId: qos ? g.messageId() || 1 : undefined,
            } as never),
          }),
          () => ({ cmd: 'pingreq', bytes: Buffer.from([0xc0, 0x00]) }),
          () => ({ cmd: 'puback', bytes: generate({ cmd: 'puback', messageId: g.messageId() } as never) }),
          () =>
            login?.subscribe.length
              ? {
                  cmd: 'subscribe',
                  bytes: generate({
                    cmd: 'subscribe',
                    messageId: g.messageId() || 1,
                    subscriptions: [{ topic: rng.pick(login.subscribe), qos: rng.int(3) }],
                  } as never),
                }
              : { cmd: 'pingreq', bytes: Buffer.from([0xc0, 0x00]) },
        ])();
        chunks.push(valid.bytes);
        notes.push(valid.cmd);
      } else if (rng.chance(0.5)) {
        const v = g.valid();
        const m = g.mutate(v.bytes);
        chunks.push(m.bytes);
        notes.push(`${v.cmd}*`);
      } else {
        chunks.push(rng.bytes(rng.range(1, 32)));
        notes.push('random');
      }
    }
    return { chunks, login: true, packets: n, note: notes.join(' + ') };
  },

  'connect-fields'(g) {
    const { rng, login, logins } = g;
    const base = { clientId: login?.clientId ?? 'fuzz', username: login?.username ?? 'fuzz', password: login?.password ?? 'fuzz' };
    const variants: [string, () => RawConnect, FuzzExpectation | undefined][] = [
      ['protocol name', () => ({ ...base, protocolId: rng.pick(['MQTX', '', 'mqtt', 'MQIsdpX', 'MQTT\u0000']) }), 'close'],
      ['protocol level', () => ({ ...base, version: rng.pick([0, 1, 2, 5, 6, 7, 127, 255]) }), 'close'],
      ['reserved connect flag', () => ({ ...base, flags: 0xc2 | 0x01 }), 'close'],
      ['will retain without will', () => ({ ...base, flags: 0xc2 | 0x20 }), 'close'],
      ['will QoS without will', () => ({ ...base, flags: 0xc2 | (rng.range(1, 3) << 3) }), 'close'],
      ['password without username', () => ({ clientId: base.clientId, password: base.password }), 'close'],
      ['wrong password', () => ({ ...base, password: `${base.password}x` }), 'close'],
      ['unknown username', () => ({ ...base, username: `nobody-${rng.int(1e6)}` }), 'close'],
      ['no credentials', () => ({ clientId: base.clientId }), 'close'],
      [
        'client id with NUL, invalid UTF-8 or a wildcard',
        () => ({ ...base, clientId: Buffer.concat([Buffer.from(base.clientId), Buffer.from(rng.pick([[0], [0xff], [0xc3, 0x28], [0x2b], [0x23], [0x2f]]))]) }),
        'close',
      ],
      ['empty client id, persistent session', () => ({ ...base, clientId: '', clean: false }), 'close'],
      // the identity half the list away: never one a concurrent case of the same batch uses (see fuzzCase)
      [
        'another identity\u2019s client id',
        () => ({ ...base, clientId: logins[(g.index + Math.floor(logins.length / 2)) % logins.length]?.clientId ?? 'fuzz-other' }),
        undefined,
      ],
      ['long client id', () => ({ ...base, clientId: 'c'.repeat(rng.range(24, 30_000)) }), undefined],
      ['long username', () => ({ ...base, username: 'u'.repeat(rng.range(100, 30_000)) }), 'close'],
      [
        'username with NUL or invalid UTF-8',
        () => ({ ...base, username: Buffer.concat([Buffer.from(base.username), Buffer.from(rng.pick([[0], [0xff], [0xc0, 0x80]]))]) }),
        'close',
      ],
      ['MQTT 3.1 (MQIsdp)', () => ({ ...base, protocolId: 'MQIsdp', version: 3 }), undefined],
      ['keepalive', () => ({ ...base, keepalive: rng.pick([0, 1, 65535]) }), undefined],
      [
        'will on a foreign topic',
        () => ({ ...base, will: { topic: rng.pick(['$SYS/x', 'campus/other/dev/status', '#', '']), payload: 'x', qos: rng.int(3), retain: rng.chance(0.5) } }),
        'close',
      ],
    ];
    const [what, make, expect] = rng.pick(variants);
    return { chunks: [rawConnect(make())], login: false, expect: login ? expect : undefined, packets: 1, note: `CONNECT: ${what}` };
  },

  mqtt5(g) {
    const { rng, login } = g;
    // own properties named like Object.prototype's (fromEntries defines them, an assignment would not)
    const userProperties = Object.fromEntries(
      ['__proto__', 'constructor', 'toString', 'x'.repeat(rng.range(1, 300))].slice(0, rng.range(1, 4)).map((k) => [k, 'v']),
    );
    const connect = generate(
      {
        ...g.connectPacket(login),
        protocolVersion: 5,
        properties: {
          sessionExpiryInterval: rng.int(2 ** 32),
          receiveMaximum: rng.range(1, 65535),
          maximumPacketSize: rng.range(1, 2 ** 28),
          topicAliasMaximum: rng.int(65536),
          userProperties,
        },
      } as never,
      { protocolVersion: 5 },
    );
    const chunks = [connect];
    let note = 'MQTT 5 CONNECT';
    if (rng.chance(0.5)) {
      // then MQTT 5 packets, whose properties the parser reads once it has seen the v5 CONNECT
      const publish = generate(
        { cmd: 'publish', topic: g.topic(), payload: g.payload(), qos: 1, messageId: 1, properties: { topicAlias: rng.range(1, 10), userProperties } } as never,
        { protocolVersion: 5 },
      );
      chunks.push(publish, frame(0xe0, Buffer.from([rng.int(256)]), varint(rng.range(0, 20)), rng.bytes(rng.int(20))));
      note += ' + PUBLISH with properties + DISCONNECT with random properties';
    }
    if (rng.chance(0.4)) {
      const i = rng.int(chunks.length);
      const m = g.mutate(chunks[i]!);
      chunks[i] = m.bytes;
      return { chunks, login: false, packets: chunks.length, note: `${note}, packet ${i} mutated (${m.how.join(', ')})` };
    }
    // aedes speaks 3.1.1: CONNACK 1 (unacceptable protocol version), then close
    return { chunks, login: false, expect: 'close', packets: chunks.length, note };
  },

  oversized(g) {
    const { rng } = g;
    const declared = rng.chance(0.5) ? rng.range(g.maxPacketBytes + 1, g.maxPacketBytes * 4) : rng.range(16 * 1024 * 1024, 268_435_455);
    const type = rng.pick([0x30, 0x32, 0x10, 0x82]);
    const body = Math.min(declared, rng.range(1, 16) * 16 * 1024);
    const chunks = [Buffer.concat([Buffer.from([type]), varint(declared)])];
    for (let sent = 0; sent < body; sent += 16 * 1024) chunks.push(Buffer.alloc(Math.min(16 * 1024, body - sent), 0x61));
    return {
      chunks,
      login: type !== 0x10 && rng.chance(0.7),
      expect: 'close',
      packets: 1,
      note: `packet type ${type >> 4} announcing ${declared} bytes, ${body} of them sent`,
    };
  },

  'random-bytes'(g) {
    const { rng } = g;
    const bytes = rng.bytes(rng.range(1, 1024));
    // now and then a plausible first byte, so the parser gets past the header
    if (rng.chance(0.5)) bytes[0] = rng.pick([0x10, 0x30, 0x32, 0x34, 0x40, 0x62, 0x82, 0xa2, 0xc0, 0xe0]);
    return { chunks: [bytes], login: rng.chance(0.5), packets: 1, note: `${bytes.length} random bytes` };
  },
};

/** Splits the chunks into pieces of 1-8 bytes (the parser's incremental states). */
function fragment(rng: Rng, chunks: Buffer[]): Buffer[] {
  const all = Buffer.concat(chunks);
  const size = all.length > 4000 ? Math.ceil(all.length / 500) : 0;
  const out: Buffer[] = [];
  for (let i = 0; i < all.length;) {
    const n = size || rng.range(1, 8);
    out.push(all.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Case `index` of the run with `seed`: the same arguments give the same bytes. */
export function fuzzCase(seed: number, index: number, logins: readonly FuzzLogin[], options: FuzzOptions = {}): FuzzCase {
  const rng = new Rng(caseSeed(seed, index));
  const strategy = rng.weighted(WEIGHTS);
  // consecutive cases log in as different identities, so up to logins.length / 2 cases run at once
  // do not take over each other's sessions
  const login = logins.length ? logins[index % logins.length] : undefined;
  const g = new Gen(index, rng, login, logins, options.maxPacketBytes ?? 64 * 1024);
  const built = BUILDERS[strategy](g);
  let chunks = built.chunks;
  let note = built.note;
  if (strategy !== 'oversized' && rng.chance(0.2)) {
    chunks = fragment(rng, chunks);
    if (chunks.length > 1) note += `, written in ${chunks.length} fragments`;
  }
  const loggedIn = built.login && login !== undefined;
  return {
    seed,
    index,
    strategy,
    ...(loggedIn
      ? {
          login,
          connect: generate(g.connectPacket(login, { keepalive: 60, will: undefined, ...(built.clean === undefined ? {} : { clean: built.clean }) }) as never),
        }
      : {}),
    chunks,
    ...(built.expect ? { expect: built.expect } : {}),
    packets: built.packets,
    note,
  };
}

// ---------------------------------------------------------------------------------------------
// running

export interface FuzzOutcome {
  /** the broker closed (or reset) the connection */
  closed: boolean;
  /** the login's CONNACK return code (undefined: none came) */
  connack?: number;
  /** packet types the broker sent */
  received: string[];
  /** the case's expectation did not hold: how */
  violation?: string;
  /** the login was refused or cut, so an 'alive' expectation could not be checked */
  unchecked?: boolean;
  /** the connection could not be opened */
  error?: string;
  ms: number;
}

export interface RunOptions {
  host?: string;
  /** how long to watch a case without an expectation (default 25 ms) */
  settleMs?: number;
  /** how long an expectation may take to come true (default 5 s: a loaded machine) */
  waitMs?: number;
}

/** Sends one case over a fresh connection and checks its expectation. Never throws. */
export async function runFuzzCase(port: number, c: FuzzCase, opts: RunOptions = {}): Promise<FuzzOutcome> {
  const { host = '127.0.0.1', settleMs = 25, waitMs = 5000 } = opts;
  const started = Date.now();
  const received: Packet[] = [];
  let closed = false;
  let unparsable: string | undefined;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  /** resolves true once `cond` holds, false after `ms` */
  const until = (cond: () => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (v: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(v);
      };
      const check = () => (cond() ? finish(true) : waiters.push(check));
      const timer = setTimeout(() => finish(cond()), ms);
      check();
    });

  const socket = connect(port, host);
  socket.setNoDelay(true);
  const p = parser({ protocolVersion: 4 });
  p.on('packet', (packet: Packet) => received.push(packet));
  p.on('error', (err: Error) => (unparsable ??= err.message));
  socket.on('data', (b) => {
    if (!unparsable) p.parse(b);
    wake();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const opened = await new Promise<string | undefined>((resolve) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('error', (err) => resolve(err.message));
  });
  const outcome = (extra: Partial<FuzzOutcome> = {}): FuzzOutcome => {
    socket.destroy();
    const connack = received.find((x) => x.cmd === 'connack') as { returnCode?: number } | undefined;
    const violation = extra.violation ?? (unparsable ? `the broker sent bytes mqtt-packet cannot parse: ${unparsable}` : undefined);
    return {
      closed,
      ...(connack && c.connect ? { connack: connack.returnCode ?? -1 } : {}),
      received: received.map((x) => x.cmd),
      ...extra,
      ...(violation ? { violation } : {}),
      ms: Date.now() - started,
    };
  };
  if (opened !== undefined) return outcome({ error: opened });

  const write = (b: Buffer) => {
    if (!socket.destroyed) socket.write(b);
  };
  let loggedIn = true;
  if (c.connect) {
    write(c.connect);
    await until(() => closed || received.some((x) => x.cmd === 'connack'), waitMs);
    const code = (received.find((x) => x.cmd === 'connack') as { returnCode?: number } | undefined)?.returnCode;
    loggedIn = code === 0 && !closed;
  }
  for (const chunk of c.chunks) {
    if (closed) break;
    write(chunk);
    // one chunk per turn of the event loop, so fragments arrive apart
    if (c.chunks.length > 1) await new Promise((r) => setImmediate(r));
  }

  switch (c.expect) {
    case 'close': {
      if (!(await until(() => closed, waitMs))) {
        // a login that failed closes anyway; here it succeeded (or there was none) and the broker went on
        return outcome({ violation: `the broker kept the connection open for ${waitMs} ms (received: ${received.map((x) => x.cmd).join(', ') || 'nothing'})` });
      }
      return outcome();
    }
    case 'refuse': {
      await until(() => closed || received.some((x) => x.cmd === 'suback' || x.cmd === 'puback' || x.cmd === 'pubrec'), waitMs);
      await until(() => closed, settleMs);
      const acked = received.find((x) => x.cmd === 'puback' || x.cmd === 'pubrec');
      const granted = received.find((x) => x.cmd === 'suback' && ((x as { granted?: number[] }).granted ?? []).some((q) => q !== 0x80));
      if (acked) return outcome({ violation: `the broker acknowledged the publish (${acked.cmd})` });
      if (granted) return outcome({ violation: `the broker granted the subscription (SUBACK ${JSON.stringify((granted as { granted?: number[] }).granted)})` });
      if (!closed && !received.some((x) => x.cmd === 'suback'))
        return outcome({ violation: `the broker neither closed the connection nor refused, in ${waitMs} ms` });
      return outcome();
    }
    case 'alive': {
      if (!loggedIn) return outcome({ unchecked: true });
      write(Buffer.from([0xc0, 0x00]));
      await until(() => closed || received.some((x) => x.cmd === 'pingresp'), waitMs);
      if (received.some((x) => x.cmd === 'pingresp')) return outcome();
      return outcome({ violation: closed ? 'the broker closed the connection' : `no PINGRESP in ${waitMs} ms` });
    }
    default:
      await until(() => closed, settleMs);
      return outcome();
  }
}

/**
 * Delta debugging (ddmin) over bytes: the smallest input found for which `fails` still holds,
 * within `maxTries` calls. For a crash, `fails` starts a broker, sends the bytes and reports
 * whether it died.
 */
export async function minimise(input: Buffer, fails: (b: Buffer) => Promise<boolean>, { maxTries = 300 } = {}): Promise<Buffer> {
  let cur = input;
  let n = 2;
  let tries = 0;
  while (cur.length >= 2 && tries < maxTries) {
    const size = Math.ceil(cur.length / n);
    let reduced = false;
    for (let i = 0; i < n && tries < maxTries; i++) {
      const without = Buffer.concat([cur.subarray(0, i * size), cur.subarray((i + 1) * size)]);
      if (without.length === cur.length) continue;
      tries++;
      if (await fails(without)) {
        cur = without;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(n * 2, cur.length);
    }
  }
  return cur;
}
