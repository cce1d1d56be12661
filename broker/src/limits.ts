/**
 * What aedes accepts and we do not (docs/developing/platform-facts.md "aedes 1.2"): packets of any size, invalid UTF-8 and
 * NUL in topics and client ids, wildcards in usernames and ids, topics of any length, a will of
 * QoS 3, SUBSCRIBE and UNSUBSCRIBE without filters. Pure checks, plus the guard that refuses an
 * oversized packet from its fixed header, before its body is buffered, and a packet against the
 * protocol before aedes acts on it.
 */
import type { Client } from 'aedes';

export interface Limits {
  /** largest MQTT packet accepted, bytes (the fixed header's remaining length plus the header) */
  maxPacketBytes: number;
  /** longest topic or filter, characters */
  maxTopicLength: number;
  /** most levels in a topic or filter */
  maxTopicLevels: number;
  /**
   * subscriptions one device or off-the-shelf client may hold (services are not bounded: a district
   * ingest subscribes to every off-the-shelf device's exact topic). A device needs a handful; each
   * one is kept in memory, and in the session on disk when the client's session is persistent.
   */
  maxSubscriptionsPerClient: number;
  /** QoS 2 messages one client id may have sent and not yet released with PUBREL (qos2-bound.ts) */
  maxQos2Pending: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxPacketBytes: 64 * 1024,
  maxTopicLength: 256,
  maxTopicLevels: 16,
  maxSubscriptionsPerClient: 100,
  maxQos2Pending: 100,
};

export type Check = string | undefined;

/**
 * mqtt-packet decodes strings as UTF-8 and turns invalid bytes into U+FFFD: a topic or id holding
 * U+FFFD came in as invalid UTF-8 (or spelled it out, which no device of ours does). NUL and the
 * other C0 controls are refused too ([MQTT-1.5.3-2], and they break logs and file names).
 */
export function checkText(what: string, text: string): Check {
  if (text.includes('\uFFFD')) return `${what} is not valid UTF-8`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return `${what} contains a control character (NUL or below U+0020)`;
  return undefined;
}

/** Usernames and client ids become topic levels and file names: no wildcards, no separators. */
export function checkIdentifier(what: string, id: string): Check {
  const text = checkText(what, id);
  if (text) return text;
  if (/[+#/]/.test(id)) return `${what} "${id.slice(0, 64)}" must not contain +, # or /`;
  return undefined;
}

/** Length, depth and encoding of a topic (publish) or a filter (subscribe). */
export function checkTopic(topic: string, limits: Limits, what = 'topic'): Check {
  if (topic.length > limits.maxTopicLength) return `${what} is ${topic.length} characters long, more than ${limits.maxTopicLength}`;
  const levels = topic.split('/').length;
  if (levels > limits.maxTopicLevels) return `${what} has ${levels} levels, more than ${limits.maxTopicLevels}`;
  return checkText(what, topic);
}

/** The reserved prefixes: $SYS is the broker's, and $share is a subscription syntax, never a topic to publish to. */
export function checkPublishTopic(topic: string): Check {
  if (topic.startsWith('$')) return `${topic.split('/')[0]} topics are reserved`;
  return undefined;
}

/** The fields of a parsed packet that `checkPacket` looks at. */
export interface ParsedPacket {
  cmd?: string;
  will?: { qos?: number } | null;
  subscriptions?: unknown[];
  unsubscriptions?: unknown[];
}

/**
 * What mqtt-packet parses, MQTT 3.1.1 forbids, and aedes would act on (found by fuzzing,
 * broker/test/fuzz.test.ts):
 * - a Will QoS of 3 [MQTT-3.1.2-14]. aedes keeps the will and publishes it at QoS 3 when the client
 *   drops; mqtt-packet cannot write a QoS 3 PUBLISH, so aedes disconnects every QoS 1/2 subscriber
 *   the will reaches (ingest among them), and a retained one (a device's status will is retained)
 *   disconnects every later subscriber on SUBSCRIBE, until something replaces it. Any device could
 *   keep ingest off the broker that way;
 * - a SUBSCRIBE or UNSUBSCRIBE without topic filters [MQTT-3.8.3-3], [MQTT-3.10.3-2].
 */
export function checkPacket(packet: ParsedPacket): Check {
  if (packet.cmd === 'connect' && packet.will && (packet.will.qos ?? 0) > 2) return 'a CONNECT with a will of QoS 3';
  if (packet.cmd === 'subscribe' && !packet.subscriptions?.length) return 'a SUBSCRIBE without topic filters';
  if (packet.cmd === 'unsubscribe' && !packet.unsubscriptions?.length) return 'an UNSUBSCRIBE without topic filters';
  return undefined;
}

interface PacketParser {
  packet: ParsedPacket & { length: number };
  _parseLength(): boolean;
  _newPacket(): boolean;
  _emitError(err: Error): void;
}

/**
 * Refuses a packet whose fixed header announces more than `maxPacketBytes`: the connection is
 * closed at once, with no more than the bytes already read buffered (MQTT 3.1.1 has no way to
 * refuse one packet and keep the connection). `onRefused` is told the announced size.
 *
 * Also refuses, once parsed and before aedes sees it, a packet `checkPacket` finds against the
 * protocol: the connection is closed and `onViolation` is told why.
 */
export function guardPackets(client: Client, maxPacketBytes: number, onRefused: (bytes: number) => void, onViolation: (reason: string) => void): void {
  const parser = (client as unknown as { _parser: PacketParser })._parser;
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    const complete = parseLength();
    // remaining length + 1 header byte + up to 4 length bytes: compare the remaining length alone, generously
    if (complete && parser.packet.length > maxPacketBytes) {
      onRefused(parser.packet.length);
      parser._emitError(new Error(`packet of ${parser.packet.length} bytes refused: the limit is ${maxPacketBytes}`));
      return false;
    }
    return complete;
  };
  // _newPacket emits the packet just parsed: refusing here keeps it from aedes
  const newPacket = parser._newPacket.bind(parser);
  parser._newPacket = () => {
    const bad = checkPacket(parser.packet);
    if (bad) {
      onViolation(bad);
      parser._emitError(new Error(`protocol violation: ${bad}`));
      return false;
    }
    return newPacket();
  };
}
