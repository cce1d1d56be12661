/**
 * The Eclipse Paho MQTT 3.1.1 interoperability suite's client test cases
 * (eclipse/paho.mqtt.testing, interoperability/client_test.py), ported to mqtt.js against our broker
 * on its own with anonymous access on a loopback listener (CAMPUS_MQTT_ANONYMOUS_LOOPBACK).
 *
 * Each case follows the Paho steps and assertions, named as in client_test.py. Two things differ:
 * - Paho sleeps after publishing and then counts the messages. Here each case waits for the
 *   messages it expects, then "settles": it publishes a marker (QoS 2) the subscriber also gets
 *   and waits for that. aedes writes each connection in order, so a further copy of an earlier
 *   message, or a message that should not have come, would have arrived before the marker.
 * - Where the Paho client does what mqtt.js will not (a second CONNECT on one socket, a protocol
 *   name "hj", a zero-length client id without clean session, a "paused" client that acknowledges
 *   nothing, a keepalive it never keeps), that client is a raw socket (@campus/testkit rawMqtt).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type IConnackPacket, type MqttClient, type Packet } from 'mqtt';
import { BrokerService, persistenceOf } from '@campus/broker';
import { MetricsRegistry, type Log } from '@campus/runtime';
import { connectBytes, rawMqtt, tempDir, waitFor, WaitAborted, type RawMqtt } from '@campus/testkit';

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

// client_test.py's globals
const topics = ['TopicA', 'TopicA/B', 'Topic/C', 'TopicA/C', '/TopicA'] as const;
const wildtopics = ['TopicA/+', '+/C', '#', '/#', '/+', '+/+', 'TopicA/#'] as const;
const nosubscribeTopics = ['test/nosubscribe'] as const;

const WAIT = { timeoutMs: 30_000 };
const FENCE = 'interop fence ';

interface Message {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

type Sent = Extract<Packet, { cmd: 'publish' }>;
const publishPacket = (topic: string, payload: string, qos: 0 | 1 | 2, messageId?: number): Packet =>
  ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false, messageId }) as Sent;
const connectPacket = (clientId: string, extra: Record<string, unknown> = {}): Packet =>
  ({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, clientId, ...extra }) as Packet;

describe('Paho MQTT 3.1.1 interoperability (client_test.py)', () => {
  const dir = tempDir();
  let broker: BrokerService;
  let url: string;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];
  let fences = 0;

  /**
   * A Paho test client: one client id, and its Callbacks (messages and SUBACKs received), which
   * outlive its connections. Paho's connect() defaults: clean session, keepalive 0.
   */
  class PahoClient {
    readonly messages: Message[] = [];
    readonly subscribeds: number[][] = [];
    readonly fences = new Set<string>();
    client?: MqttClient;
    constructor(readonly clientId: string) {}

    async connect(opts: { clean?: boolean; keepalive?: number } = {}): Promise<IConnackPacket> {
      const client = mqtt.connect(url, {
        clientId: this.clientId,
        clean: opts.clean ?? true,
        keepalive: opts.keepalive ?? 0,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: WAIT.timeoutMs,
      });
      clients.push(client);
      this.client = client;
      client.on('message', (topic, payload, packet) => {
        const text = payload.toString();
        if (text.startsWith(FENCE)) this.fences.add(text);
        else this.messages.push({ topic, payload: text, qos: packet.qos, retain: packet.retain });
      });
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'suback') this.subscribeds.push(packet.granted as number[]);
      });
      client.on('error', () => {}); // a refused connection shows as a close before CONNACK
      return new Promise<IConnackPacket>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('close', () => reject(new Error(`${this.clientId || '(zero-length id)'}: connection closed before CONNACK`)));
      });
    }

    /** DISCONNECT, once what this client published is acknowledged (as Paho's disconnect() waits) */
    async disconnect(): Promise<void> {
      await this.client!.endAsync();
    }

    subscribe(filters: string[], qoss: (0 | 1 | 2)[]) {
      return this.client!.subscribeAsync(Object.fromEntries(filters.map((f, i) => [f, { qos: qoss[i]! }])));
    }

    publish(topic: string, payload: string, qos: 0 | 1 | 2 = 0, retain = false) {
      return this.client!.publishAsync(topic, payload, { qos, retain });
    }

    /** waits until at least `n` messages arrived */
    received(n: number) {
      return waitFor(`${this.clientId} to receive ${n} message(s)`, () => this.messages.length >= n, WAIT);
    }
  }

  /** Stands in for the Paho case's sleep: see the file comment. */
  async function settle(publisher: PahoClient, topic: string, subscriber: PahoClient): Promise<void> {
    const marker = `${FENCE}${++fences}`;
    await publisher.publish(topic, marker, 2);
    await waitFor(`${subscriber.clientId} to receive the marker on ${topic}`, () => subscriber.fences.has(marker), WAIT);
  }

  /** Topics that hold a retained message in the broker's store. */
  async function retainedTopics(): Promise<string[]> {
    const store = persistenceOf(broker.instance!) as { createRetainedStream(pattern: string): AsyncIterable<{ topic: string }> };
    const found: string[] = [];
    for await (const packet of store.createRetainedStream('#')) found.push(packet.topic);
    return found.sort();
  }

  async function raw(): Promise<RawMqtt> {
    const r = await rawMqtt(broker.port);
    raws.push(r);
    return r;
  }

  /** client_test.py cleanup(): clean sessions for both client ids, and no retained messages */
  async function cleanup(): Promise<void> {
    for (const id of ['myclientid', 'myclientid2']) {
      const c = new PahoClient(id);
      await c.connect({ clean: true });
      await c.disconnect();
    }
    const retained = await retainedTopics();
    if (retained.length > 0) {
      const c = new PahoClient('clean retained');
      await c.connect({ clean: true });
      for (const topic of retained) await c.publish(topic, '', 0, true);
      await waitFor('no retained messages left', async () => (await retainedTopics()).length === 0, WAIT);
      await c.disconnect();
    }
  }

  let aclient: PahoClient;
  let bclient: PahoClient;

  beforeAll(async () => {
    broker = new BrokerService({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir.path,
      campuses: [],
      simulated: false,
      log: quiet,
      metrics: new MetricsRegistry(),
      anonymous: { denySubscribe: [...nosubscribeTopics] },
    });
    await broker.start();
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  afterAll(async () => {
    await broker?.stop();
    dir.remove();
  });
  beforeEach(async () => {
    await cleanup();
    // setUpClass: aclient and bclient with their own Callbacks
    aclient = new PahoClient('myclientid');
    bclient = new PahoClient('myclientid2');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.end(true);
    for (const r of raws.splice(0)) r.end();
  });

  it('testBasic', async () => {
    await aclient.connect();
    await aclient.disconnect();

    const connack = await aclient.connect();
    expect(connack.sessionPresent).toBe(false); // connack.flags == 0x00
    await aclient.subscribe([topics[0]], [2]);
    // published back to back, as Paho does
    await Promise.all([aclient.publish(topics[0], 'qos 0'), aclient.publish(topics[0], 'qos 1', 1), aclient.publish(topics[0], 'qos 2', 2)]);
    await aclient.received(3);
    await settle(aclient, topics[0], aclient);
    await aclient.disconnect();
    expect(aclient.messages).toHaveLength(3);
    expect(aclient.messages.map((m) => [m.payload, m.qos]).sort()).toEqual([
      ['qos 0', 0],
      ['qos 1', 1],
      ['qos 2', 2],
    ]);

    // "should fail - second connect on socket" [MQTT-3.1.0-2]
    const twice = await raw();
    twice.send(connectPacket('myclientid'));
    expect(await twice.connack()).toBe(0);
    twice.send(connectPacket('myclientid'));
    await twice.closed;
    expect(twice.received.filter((p) => p.cmd === 'connack')).toEqual([]);

    // "should fail - wrong protocol name"
    const hj = await raw();
    hj.send(connectPacket('myclientid', { protocolId: 'hj' }));
    await hj.closed;
    expect(hj.received.filter((p) => p.cmd === 'connack' && p.returnCode === 0)).toEqual([]);
  });

  it('test_retained_messages', async () => {
    // retained messages
    let connack = await aclient.connect({ clean: true });
    expect(connack.sessionPresent).toBe(false);
    await Promise.all([
      aclient.publish(topics[1], 'qos 0', 0, true),
      aclient.publish(topics[2], 'qos 1', 1, true),
      aclient.publish(topics[3], 'qos 2', 2, true),
    ]);
    // for Paho's sleep(1): the broker holds all three
    await waitFor('three retained messages stored', async () => (await retainedTopics()).length === 3, WAIT);
    await aclient.subscribe([wildtopics[5]], [2]);
    await aclient.received(3);
    await settle(aclient, topics[1], aclient);
    await aclient.disconnect();
    expect(aclient.messages).toHaveLength(3);
    expect(aclient.messages.every((m) => m.retain)).toBe(true);

    // clear retained messages
    aclient.messages.length = 0;
    connack = await aclient.connect({ clean: true });
    expect(connack.sessionPresent).toBe(false);
    await Promise.all([aclient.publish(topics[1], '', 0, true), aclient.publish(topics[2], '', 1, true), aclient.publish(topics[3], '', 2, true)]);
    await waitFor('the retained messages cleared', async () => (await retainedTopics()).length === 0, WAIT);
    await aclient.subscribe([wildtopics[5]], [2]);
    await settle(aclient, topics[1], aclient);
    await aclient.disconnect();
    expect(aclient.messages).toEqual([]);
  });

  it('test_zero_length_clientid', async () => {
    // clean session false: should be rejected [MQTT-3.1.3-8] (neither mqtt.js nor mqtt-packet will write this CONNECT)
    const unclean = await raw();
    unclean.send(connectBytes({ clientId: '', clean: false, keepalive: 0 }));
    expect(await unclean.connack()).toBe(2); // identifier rejected
    await unclean.closed;

    // clean session true: should work
    const client0 = new PahoClient('');
    const connack = await client0.connect({ clean: true });
    expect(connack.returnCode).toBe(0);
    await client0.disconnect();
  });

  it('test_offline_message_queueing', async () => {
    // message queueing for offline clients
    await aclient.connect({ clean: false });
    await aclient.subscribe([wildtopics[5]], [2]);
    await aclient.disconnect();

    const connack = await bclient.connect({ clean: true });
    expect(connack.sessionPresent).toBe(false);
    await Promise.all([bclient.publish(topics[1], 'qos 0', 0), bclient.publish(topics[2], 'qos 1', 1), bclient.publish(topics[3], 'qos 2', 2)]);
    await bclient.disconnect();

    const again = await aclient.connect({ clean: false });
    expect(again.sessionPresent).toBe(true); // connack.flags == 0x01
    await aclient.received(2);
    await settle(aclient, topics[1], aclient);
    await aclient.disconnect();

    expect([2, 3]).toContain(aclient.messages.length);
    expect(aclient.messages.map((m) => m.payload)).toEqual(expect.arrayContaining(['qos 1', 'qos 2']));
    // (Paho prints whether the server queues QoS 0 messages for offline clients: aedes does not)
  });

  it('test_overlapping_subscriptions', async () => {
    // one message with the highest QoS of the matching subscriptions, or one per subscription with its QoS
    await aclient.connect();
    await aclient.subscribe([wildtopics[6], wildtopics[0]], [2, 1]);
    await aclient.publish(topics[3], 'overlapping topic filters', 2);
    await aclient.received(1);
    await settle(aclient, topics[3], aclient);
    expect([1, 2]).toContain(aclient.messages.length);
    if (aclient.messages.length === 1) {
      // "one message for all matching overlapping subscriptions, not one for each"
      expect(aclient.messages[0]!.qos).toBe(2);
    } else {
      // "one message per each matching overlapping subscription"
      expect(aclient.messages.map((m) => m.qos).sort()).toEqual([1, 2]);
    }
    await aclient.disconnect();
  });

  it('test_keepalive', async () => {
    // kicked off by the server for sending nothing (no PINGREQ either) within 1.5 × keepalive; the will is published.
    // A raw socket: mqtt.js would keep the connection alive.
    const a = await raw();
    a.send(
      connectPacket('myclientid', { clean: true, keepalive: 5, will: { topic: topics[4], payload: Buffer.from('keepalive expiry'), qos: 2, retain: false } }),
    );
    expect(await a.connack()).toBe(0);
    const connectedAt = Date.now();
    let closedAt = 0;
    void a.closed.then(() => (closedAt = Date.now()));
    await bclient.connect({ clean: true, keepalive: 0 });
    await bclient.subscribe([topics[4]], [2]);
    // Paho sleeps 15 s; the broker must act within 7.5 s
    await waitFor('the will published after the keepalive expired', () => bclient.messages.length >= 1, WAIT);
    await a.closed;
    await settle(bclient, topics[4], bclient);
    await bclient.disconnect();
    expect(bclient.messages).toEqual([{ topic: topics[4], payload: 'keepalive expiry', qos: 2, retain: false }]);
    // not before the keepalive itself was up
    expect(closedAt - connectedAt).toBeGreaterThanOrEqual(5_000);
  });

  it('test_redelivery_on_reconnect', async () => {
    // when a QoS 1 or 2 exchange has not been completed, the server retries it on reconnect.
    // bclient.pause() "stops responding to incoming publishes": until resume() it is a raw socket
    const paused = await raw();
    paused.send(connectPacket(bclient.clientId, { clean: false }));
    expect(await paused.connack()).toBe(0);
    paused.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: wildtopics[6], qos: 2 }] } as Packet);
    expect(((await paused.next('suback')) as { granted: number[] }).granted).toEqual([2]);
    paused.send(publishPacket(topics[1], '', 1, 2));
    paused.send(publishPacket(topics[3], '', 2, 3));
    // its own publishes complete (the paused Paho client still handles PUBACK, PUBREC, PUBCOMP)...
    await paused.next('puback');
    await paused.next('pubrec');
    paused.send({ cmd: 'pubrel', messageId: 3 } as Packet);
    await paused.next('pubcomp');
    // ...and it acknowledges neither copy the broker sends it
    const sent = await waitFor(
      'both messages sent to the paused client',
      () => {
        const publishes = paused.received.filter((p): p is Sent => p.cmd === 'publish');
        return publishes.length >= 2 && publishes;
      },
      WAIT,
    );
    expect(sent.map((p) => [p.topic, p.qos]).sort()).toEqual([
      [topics[1], 1],
      [topics[3], 2],
    ]);
    paused.send({ cmd: 'disconnect' } as Packet);
    await paused.closed;
    expect(bclient.messages).toEqual([]);

    // bclient.resume(); connect again without clean session
    const connack = await bclient.connect({ clean: false });
    expect(connack.sessionPresent).toBe(true);
    await bclient.received(2);
    await settle(bclient, topics[1], bclient);
    expect(bclient.messages.map((m) => [m.topic, m.qos]).sort()).toEqual([
      [topics[1], 1],
      [topics[3], 2],
    ]);
    await bclient.disconnect();
  });

  /** subscribes aclient to a filter the broker refuses; resolves with the SUBACK's return codes (mqtt.js rejects a 0x80 grant) */
  const refusedSubscription = (filter: string, qos: 0 | 1 | 2) => {
    void aclient.subscribe([filter], [qos]).catch(() => {});
    return waitFor(
      'the SUBACK',
      () => {
        if (aclient.subscribeds[0]) return aclient.subscribeds[0];
        if (!aclient.client!.connected) throw new WaitAborted('the broker closed the connection instead of answering SUBACK 0x80');
        return undefined;
      },
      WAIT,
    );
  };

  it('test_subscribe_failure', async () => {
    // MQTT 3.1.1 answers a refused subscription with return code 0x80 in the SUBACK
    await aclient.connect();
    const granted = await refusedSubscription(nosubscribeTopics[0]!, 2);
    expect(granted[0]).toBe(0x80);
    // and the connection stays up
    await aclient.publish(topics[0], 'still connected', 1);
    expect(aclient.client!.connected).toBe(true);
    await aclient.disconnect();
  });

  it('test_dollar_topics', async () => {
    // a topic filter that starts with a wildcard does not match topic names that begin with $ [MQTT-4.7.2-1]
    await bclient.connect({ clean: true, keepalive: 0 });
    await bclient.subscribe([wildtopics[5]], [2]);
    bclient.messages.length = 0; // (after cleanup() there are no retained messages to wait for)

    // Paho's step: publish to "$TopicA/B". Our broker does not let clients publish to $-topics ("may not
    // be allowed on some servers (which is entirely valid)"): MQTT 3.1.1 has no negative PUBACK, so the
    // connection is closed. That publisher is aclient, so that bclient stays connected to watch.
    await aclient.connect();
    aclient.client!.publish(`$${topics[1]}`, '', { qos: 1 });
    await waitFor('the $-topic publisher disconnected', () => !aclient.client!.connected, WAIT);
    await settle(bclient, topics[1], bclient);
    expect(bclient.messages).toEqual([]);

    // the rule itself, with the $-topic message published inside the broker (aedes' own publish);
    // a broker-side subscription to $TopicA/+ shows it was published
    const aedes = broker.instance!;
    const seen: string[] = [];
    const listener = (packet: { topic: string }, done: () => void) => (seen.push(packet.topic), done());
    await new Promise<void>((resolve) => aedes.subscribe(`$${wildtopics[0]}`, listener, resolve));
    await new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic: `$${topics[1]}`, payload: Buffer.alloc(0), qos: 1, retain: false, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    expect(seen).toEqual([`$${topics[1]}`]);
    await settle(bclient, topics[1], bclient);
    expect(bclient.messages).toEqual([]);
    await new Promise<void>((resolve) => aedes.unsubscribe(`$${wildtopics[0]}`, listener, resolve));
    await bclient.disconnect();
  });

  it('test_unsubscribe', async () => {
    await bclient.connect({ clean: true });
    await bclient.subscribe([topics[0]], [2]);
    await bclient.subscribe([topics[1]], [2]);
    await bclient.subscribe([topics[2]], [2]);
    // (after cleanup() there are no retained messages to wait for)
    // unsubscribed from one topic
    await bclient.client!.unsubscribeAsync(topics[0]);

    await aclient.connect({ clean: true });
    await aclient.publish(topics[0], '', 1);
    await aclient.publish(topics[1], '', 1);
    await aclient.publish(topics[2], '', 1);
    await bclient.received(2);
    await settle(aclient, topics[1], bclient);

    await bclient.disconnect();
    await aclient.disconnect();
    expect(bclient.messages.map((m) => m.topic).sort()).toEqual([topics[1], topics[2]].sort());
  });

  it('(not in Paho) anonymous clients get SUBACK 0x80 for $-topic filters, and stay connected', async () => {
    await aclient.connect();
    const granted = await refusedSubscription('$SYS/#', 0);
    expect(granted).toEqual([0x80]);
    await aclient.subscribe([topics[0]], [1]);
    expect(aclient.subscribeds[1]).toEqual([1]);
    await aclient.disconnect();
  });
});

describe('anonymous access', () => {
  it('is refused on a listener that is not loopback', async () => {
    const dir = tempDir();
    const broker = new BrokerService({
      host: '0.0.0.0',
      port: 0,
      dataDir: dir.path,
      campuses: [],
      simulated: false,
      log: quiet,
      metrics: new MetricsRegistry(),
      anonymous: { denySubscribe: ['test/nosubscribe'] },
    });
    try {
      await expect(broker.start()).rejects.toThrow(/CAMPUS_MQTT_ANONYMOUS_LOOPBACK/);
    } finally {
      await broker.stop();
      dir.remove();
    }
  });
});
