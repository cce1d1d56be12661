/**
 * The system's parts in separate processes talk over the broker they already share (split mode,
 * contract/src/ops.ts): a `Bus` carries JSON messages under the system's own topics. `MqttBus` is
 * one MQTT connection under a service login; clean session, so a part that was down hears only what
 * is said from its start on (it reads the rest from the database).
 */
import type { MqttClient } from 'mqtt';
import { connectMqtt } from './mqtt-servers.ts';
import { describeError } from './errors.ts';
import { Throttled } from './throttled.ts';
import type { Log } from './log.ts';
import type { PartHealth, Service } from './service.ts';

export interface Bus {
  /** resolves once the broker has the message (QoS 1) or it is sent (QoS 0) */
  publish(topic: string, body: unknown, qos?: 0 | 1): Promise<void>;
  /** `onMessage` gets the parsed body; a message that is not JSON is dropped with a warning */
  subscribe(filter: string, onMessage: (body: unknown, topic: string) => void): Promise<void>;
  unsubscribe(filter: string): Promise<void>;
}

export interface MqttBusOptions {
  name: string;
  url: string | (() => string);
  clientId: string;
  username: string;
  password: string;
  log: Log;
}

export class MqttBus implements Bus, Service {
  readonly name: string;
  private client?: MqttClient;
  private readonly handlers = new Map<string, (body: unknown, topic: string) => void>();

  constructor(private readonly opts: MqttBusOptions) {
    this.name = opts.name;
  }

  async start(): Promise<void> {
    const url = typeof this.opts.url === 'function' ? this.opts.url() : this.opts.url;
    const client = connectMqtt(url, {
      clientId: this.opts.clientId,
      username: this.opts.username,
      password: this.opts.password,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // the live feed (QoS 0) is not kept while the broker is away: memory must not grow with the outage
      queueQoSZero: false,
    });
    this.client = client;
    // a refused login or an unreachable broker repeats at every retry (each second): said once a minute
    let last = '';
    const errors = new Throttled((n) => this.opts.log.warn(`${this.name}: ${last}${n > 1 ? ` (${n} times since the last line; retrying every second)` : ''}`));
    client.on('error', (err) => {
      last = describeError(err);
      errors.add(1);
    });
    client.on('offline', () => this.opts.log.debug(`${this.name}: broker unreachable, retrying`));
    client.on('message', (topic, payload) => {
      let handler: ((body: unknown, topic: string) => void) | undefined;
      for (const [filter, h] of this.handlers) if (matches(filter, topic)) handler = h;
      if (!handler) return;
      let body: unknown;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        this.opts.log.warn(`${this.name}: not JSON on ${topic}; dropped`);
        return;
      }
      handler(body, topic);
    });
    // not waited for: a part whose broker is away starts anyway (the dashboard shows what is stored)
    // and says so in its health; what it subscribed to is sent on every (re)connection, clean session
    client.on('connect', () => void this.resubscribe().catch((err) => this.opts.log.warn(`${this.name}: cannot subscribe: ${describeError(err)}`)));
  }

  private async resubscribe(): Promise<void> {
    if (this.handlers.size) await this.client?.subscribeAsync([...this.handlers.keys()], { qos: 1 });
  }

  async publish(topic: string, body: unknown, qos: 0 | 1 = 1): Promise<void> {
    if (!this.client) throw new Error(`${this.name} is not running`);
    await this.client.publishAsync(topic, JSON.stringify(body), { qos });
  }

  async subscribe(filter: string, onMessage: (body: unknown, topic: string) => void): Promise<void> {
    this.handlers.set(filter, onMessage);
    if (this.client?.connected) await this.client.subscribeAsync(filter, { qos: 1 });
  }

  async unsubscribe(filter: string): Promise<void> {
    if (!this.handlers.delete(filter)) return;
    if (this.client?.connected) await this.client.unsubscribeAsync(filter).catch(() => {});
  }

  /** resolves once connected and subscribed (tests, and a caller that must not miss the first message) */
  async ready(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(`${this.name} is not running`);
    if (!client.connected) await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await this.resubscribe();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => {});
  }

  health(): PartHealth {
    return this.client?.connected ? { ok: true } : { ok: false, detail: 'not connected to the broker' };
  }
}

/** MQTT filter match for the system's own topics (+ and a trailing #). */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
