/**
 * A raw MQTT connection for tests that must send what no well-behaved client library would:
 * oversized or truncated packets, invalid UTF-8, wills on foreign topics. Bytes go out as given;
 * what comes back is parsed with mqtt-packet.
 */
import { connect, type Socket } from 'node:net';
import { generate, parser, type Packet } from 'mqtt-packet';
import { waitFor } from './wait.ts';

export interface RawMqtt {
  socket: Socket;
  /** packets the broker sent, in order */
  received: Packet[];
  /** resolves when the broker closed the connection */
  closed: Promise<void>;
  isClosed(): boolean;
  send(packet: Packet | Buffer): void;
  /** the next packet of this type (waits up to `timeoutMs`) */
  next(cmd: Packet['cmd'], timeoutMs?: number): Promise<Packet>;
  /** the CONNACK's return code */
  connack(timeoutMs?: number): Promise<number>;
  end(): void;
}

export async function rawMqtt(port: number, host = '127.0.0.1'): Promise<RawMqtt> {
  const socket = connect(port, host);
  const received: Packet[] = [];
  const p = parser({ protocolVersion: 4 });
  p.on('packet', (packet: Packet) => received.push(packet));
  p.on('error', () => socket.destroy());
  socket.on('data', (b) => p.parse(b));
  let closedFlag = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => ((closedFlag = true), resolve())));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error('connection closed before it opened')));
  });
  const raw: RawMqtt = {
    socket,
    received,
    closed,
    isClosed: () => closedFlag,
    send: (packet) => {
      if (!socket.destroyed) socket.write(Buffer.isBuffer(packet) ? packet : generate(packet));
    },
    next: async (cmd, timeoutMs = 10_000) => {
      let taken = 0;
      return waitFor(
        `a ${cmd} packet`,
        () => {
          const i = received.findIndex((x, j) => j >= taken && x.cmd === cmd);
          if (i < 0) return undefined;
          taken = i + 1;
          return received.splice(i, 1)[0];
        },
        { timeoutMs, everyMs: 10 },
      );
    },
    connack: async (timeoutMs) => ((await raw.next('connack', timeoutMs)) as { returnCode?: number }).returnCode ?? -1,
    end: () => socket.destroy(),
  };
  return raw;
}

/** The variable-length "remaining length" of a fixed header. */
export function remainingLength(n: number): number[] {
  const out: number[] = [];
  let x = n;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    out.push(byte);
  } while (x > 0);
  return out;
}

/** A PUBLISH whose topic is raw bytes (for invalid UTF-8 and NUL), QoS 0. */
export function publishWithRawTopic(topic: Buffer, payload: Buffer): Buffer {
  const topicLen = Buffer.alloc(2);
  topicLen.writeUInt16BE(topic.length);
  return Buffer.concat([Buffer.from([0x30, ...remainingLength(2 + topic.length + payload.length)]), topicLen, topic, payload]);
}

/** Only the fixed header of a PUBLISH announcing `length` bytes (the body never follows). */
export function publishHeaderOnly(length: number): Buffer {
  return Buffer.from([0x30, ...remainingLength(length)]);
}

const utf8Field = (v: string | Buffer) => {
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

/**
 * A CONNECT (MQTT 3.1.1) built byte by byte, for what mqtt-packet refuses to generate: a
 * zero-length client id with clean=false, or a client id or username that is not valid UTF-8.
 */
export function connectBytes(opts: { clientId: string | Buffer; clean: boolean; username?: string | Buffer; password?: string; keepalive?: number }): Buffer {
  let flags = opts.clean ? 0x02 : 0;
  if (opts.username !== undefined) flags |= 0x80;
  if (opts.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(opts.keepalive ?? 60);
  const body = Buffer.concat([
    utf8Field('MQTT'),
    Buffer.from([4, flags]),
    keepalive,
    utf8Field(opts.clientId),
    ...(opts.username !== undefined ? [utf8Field(opts.username)] : []),
    ...(opts.password !== undefined ? [utf8Field(opts.password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}
