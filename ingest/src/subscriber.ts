/**
 * The MQTT side of ingest: a QoS 1 subscriber with a persistent session, which acknowledges each
 * message only when told to (after its batch is durable).
 *
 * mqtt.js sends a PUBACK when `handleMessage` calls back, and reads the next packet only then
 * (lib/handlers/publish.js), which would allow one message in flight and a transaction per
 * reading. Instead we call back at once with a marker error (mqtt.js then skips its PUBACK and moves
 * on) and write the PUBACK ourselves after the commit, in arrival order, on the same connection
 * only: after a reconnect the broker redelivers what was not acknowledged, and the store ignores
 * the duplicates.
 */
import type { MqttClient, IPublishPacket } from 'mqtt';
import { connectMqtt } from '@campus/runtime';
import { CampusError, type Log } from '@campus/runtime';

export interface SubscriberOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  topics: string[];
  /** subscribe as `$share/{group}/{topic}`: several ingest processes split the messages (brokers with shared subscriptions) */
  sharedGroup?: string;
  log: Log;
  /** `ack` must be called once the message is durable (stored or dead-lettered) */
  onMessage(topic: string, payload: Buffer, ack: () => void): void;
  /** true when too much waits to be stored: stop reading from the broker until `resume()` */
  holdBack?(): boolean;
}

const DEFERRED_ACK = Object.assign(new Error('ack deferred until stored'), { deferred: true });

type PacketWriter = { _sendPacket(packet: object, cb?: () => void, cbStorePut?: () => void, noStore?: boolean): void };

export class MqttSubscriber {
  private client?: MqttClient;
  private subscribed = false;
  /** the callback that lets mqtt.js read the next packet, while holding back */
  private held?: () => void;

  /** what is sent in SUBSCRIBE: the topics, or `$share/{group}/{topic}` for each */
  readonly filters: string[];

  constructor(private readonly opts: SubscriberOptions) {
    this.filters = sharedFilters(opts.topics, opts.sharedGroup);
  }

  get connected(): boolean {
    return Boolean(this.client?.connected && this.subscribed);
  }

  /** Resolves once connected and subscribed; rejects if the first connection is refused. */
  async start(): Promise<void> {
    const { log } = this.opts;
    if (this.opts.sharedGroup)
      log.warn(
        `shared subscription $share/${this.opts.sharedGroup}: the broker splits every device's readings among the group's ingest processes; ` +
          'all are stored exactly once, but the detectors here see only part of each stream (rules over time, such as leaks, overloads and fridge excursions, may miss or be late)',
      );
    // several broker nodes (comma-separated): the next one takes over when one goes away
    const client = connectMqtt(this.opts.url, {
      clientId: this.opts.clientId,
      username: this.opts.username,
      password: this.opts.password,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: false,
    });
    this.client = client;

    client.handleMessage = (packet, callback) => {
      const publish = packet as IPublishPacket;
      const payload = Buffer.isBuffer(publish.payload) ? publish.payload : Buffer.from(publish.payload);
      if (publish.qos === 0 || publish.messageId === undefined) {
        this.opts.onMessage(publish.topic, payload, () => {});
        return callback();
      }
      const stream = client.stream;
      const messageId = publish.messageId;
      this.opts.onMessage(publish.topic, payload, () => {
        // a PUBACK belongs to the connection that delivered the message
        if (client.stream === stream && client.connected) {
          (client as unknown as PacketWriter)._sendPacket({ cmd: 'puback', messageId }, undefined, undefined, true);
        }
      });
      // back-pressure: mqtt.js reads the next packet only after this callback, so while the store
      // cannot keep up the broker keeps the rest (QoS 1, persistent session) instead of our memory
      if (this.opts.holdBack?.()) this.held = () => callback(DEFERRED_ACK);
      else callback(DEFERRED_ACK);
    };

    // start() resolves once the broker granted the subscription: what devices publish before a
    // subscription exists goes nowhere, so "ingest started" must mean "subscribed"
    let firstSubscribed!: () => void;
    let firstRefused!: (err: Error) => void;
    const subscribedOnce = new Promise<void>((resolve, reject) => ((firstSubscribed = resolve), (firstRefused = reject)));
    client.on('connect', (connack) => {
      // with a persistent session the broker keeps our subscriptions; subscribe anyway (idempotent)
      client.subscribe(this.filters, { qos: 1 }, (err, granted) => {
        if (err) return log.error(`subscribe failed: ${err.message}`);
        const refused = granted?.filter((g) => g.qos === 128) ?? [];
        if (refused.length) {
          log.error(`subscription refused by the broker: ${refused.map((g) => g.topic).join(', ')}`);
          return firstRefused(new CampusError('CAMPUS_ERR_MQTT', `the broker refused ingest's subscription to ${refused.map((g) => g.topic).join(', ')}`));
        }
        this.subscribed = true;
        firstSubscribed();
        log.info(`subscribed`, { topics: this.filters, sessionPresent: connack.sessionPresent });
      });
    });
    client.on('close', () => {
      this.subscribed = false;
      this.held = undefined; // that connection is gone; the broker redelivers what it had sent
    });
    client.on('error', (err) => log.warn(`mqtt: ${err.message}`));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CampusError('CAMPUS_ERR_MQTT', `no answer from ${this.opts.url} within 15 s`)), 15_000);
      const onConnect = () => {
        clearTimeout(timer);
        client.off('error', onError);
        resolve();
      };
      const onError = (err: Error & { code?: number }) => {
        // a refused CONNACK (bad credentials) will not get better by retrying
        if (typeof err.code === 'number') {
          clearTimeout(timer);
          client.off('connect', onConnect);
          client.end(true);
          reject(new CampusError('CAMPUS_ERR_MQTT', `broker ${this.opts.url} refused ${this.opts.username}: ${err.message}`, { cause: err }));
        }
      };
      client.once('connect', onConnect);
      client.on('error', onError);
    });
    await Promise.race([
      subscribedOnce,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new CampusError('CAMPUS_ERR_MQTT', `no subscription granted by ${this.opts.url} within 15 s`)), 15_000).unref(),
      ),
    ]);
  }

  /** true while reading from the broker is held back */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Reads from the broker again after `holdBack` said stop. */
  resume(): void {
    const held = this.held;
    this.held = undefined;
    held?.();
  }

  /** Closes the connection; unacknowledged messages stay with the broker's session. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    if (client) await client.endAsync(true);
  }
}

/**
 * The subscription filters: `$share/{group}/{topic}` for each topic when a shared group is set
 * (MQTT 5 shared subscriptions, also offered to 3.1.1 clients by Mosquitto and EMQX). A group name
 * is one topic level: not empty, without `/`, `+` or `#`.
 */
export function sharedFilters(topics: readonly string[], group?: string): string[] {
  if (group === undefined) return [...topics];
  if (group === '' || /[/+#\u0000]/.test(group))
    throw new CampusError(
      'CAMPUS_ERR_KNOB',
      `CAMPUS_INGEST_SHARED_GROUP=${JSON.stringify(group)}: a shared subscription group must be one topic level, not empty, without "/", "+", "#"`,
    );
  return topics.map((t) => `$share/${group}/${t}`);
}
