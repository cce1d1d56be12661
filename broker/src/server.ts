/**
 * The MQTT broker: aedes on a TCP listener, with per-identity authentication (no anonymous
 * access) and the topic ACL of acl.ts. Metrics go to the process registry.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:net';
import { Aedes, type Client } from 'aedes';
import * as persistenceModule from 'aedes-persistence';
import type { Campus } from '@campus/site';
import { listen, type Listening, type Log, type MetricsRegistry, type PartHealth, type Service } from '@campus/runtime';
import { canPublish, canSubscribe, keepsRetain } from './acl.ts';
import { SubscriberFlow, type FlowOptions } from './flow.ts';
import type { CredentialStore, Identity } from './credentials.ts';
import { provisionCredentials, simulatedLogins } from './provision.ts';

export interface BrokerOptions {
  host: string;
  port: number;
  dataDir: string;
  campuses: readonly Campus[];
  /** provision simulator credentials for ledger devices */
  simulated: boolean;
  log: Log;
  metrics: MetricsRegistry;
  /** flow control from ingest back to the devices (flow.ts) */
  flow?: FlowOptions;
}

const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function authError(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode }) as Error & { returnCode: 4 | 5 };
}

export class BrokerService implements Service {
  readonly name = 'broker';
  private aedes?: Aedes;
  private listening?: Listening;
  private watcher?: FSWatcher;
  private credentials?: CredentialStore;
  private readonly identities = new WeakMap<Client, Identity>();
  /** the login behind each connection, and the hash it logged in against (to cut it when that changes) */
  private readonly logins = new WeakMap<Client, { username: string; hash?: string }>();
  /** the port actually bound (CAMPUS_MQTT_PORT=0 picks a free one) */
  port = 0;
  private flow?: SubscriberFlow;

  constructor(private readonly opts: BrokerOptions) {}

  async start(): Promise<void> {
    const { log, metrics } = this.opts;
    this.credentials = await provisionCredentials({
      dataDir: this.opts.dataDir,
      campuses: this.opts.campuses,
      simulated: this.opts.simulated,
      log,
    });
    this.watchCredentials();
    const simulated = this.opts.simulated ? simulatedLogins(this.opts.dataDir, this.opts.campuses) : () => null;
    const authFailures = metrics.counter('campus_mqtt_auth_failures_total', 'MQTT connections refused for bad credentials');
    const refused = metrics.counter('campus_mqtt_refused_total', 'MQTT publishes and subscribes refused by the ACL');

    const flow = new SubscriberFlow(this.opts.flow);
    this.flow = flow;
    // aedes' own in-memory persistence (a CommonJS module: its default export is the factory)
    const persistence = (persistenceModule as unknown as { default: () => object }).default();
    flow.wrap(persistence);
    metrics.gauge('campus_mqtt_subscriber_queue', 'messages queued for the busiest service subscriber (ingest) and not yet acknowledged', () => flow.deepest);
    metrics.gauge('campus_mqtt_flow_waits', 'device publishes that waited for ingest to catch up (flow control)', () => flow.waits);

    const aedes = new Aedes({
      persistence,
      drainTimeout: 30_000,
      authenticate: (client, username, password, done) => {
        const fail = (msg: string, code: number) => {
          authFailures.inc();
          log.warn(`refused connection: ${msg}`, { clientId: client.id, username });
          done(authError(msg, code), false);
        };
        if (!username || !password) return fail('anonymous access is not allowed', NOT_AUTHORIZED);
        const secret = password.toString('utf8');
        // an issued secret (or a disabled entry) wins over the simulator's derived one
        const issued = this.credentials!.get(username);
        this.credentials!.authenticate(username, secret).then(
          (found) => {
            const who = found ?? (issued ? null : simulated(username, secret));
            if (!who) return fail('bad username or password', BAD_USERNAME_OR_PASSWORD);
            // a device's client id is its device id: no other identity can take over its session
            if (who.role === 'device' && client.id !== who.deviceId) {
              return fail(`device ${who.deviceId} must connect with client id "${who.deviceId}"`, NOT_AUTHORIZED);
            }
            this.identities.set(client, who);
            this.logins.set(client, { username, hash: found ? this.credentials!.get(username)?.hash : undefined });
            done(null, true);
          },
          (err) => fail(`credential check failed: ${(err as Error).message}`, NOT_AUTHORIZED),
        );
      },
      authorizePublish: (client, packet, done) => {
        // client is null when aedes publishes a stored will of a gone client: it was checked on connect
        if (client === null) return done(null);
        const who = this.identities.get(client);
        const decision = canPublish(who, packet.topic, packet.retain);
        if (decision.ok) {
          // an off-the-shelf device that retains its readings would replay them to every new subscriber
          if (packet.retain && !keepsRetain(who, packet.topic)) packet.retain = false;
          // a device waits while ingest is far behind (flow.ts); services never do
          const wait = who?.role === 'service' ? undefined : flow.gate();
          if (wait) return void wait.then(() => done(null));
          return done(null);
        }
        refused.inc({ op: 'publish' });
        log.warn(`refused publish: ${decision.reason}`, { clientId: client.id, topic: packet.topic.slice(0, 200) });
        done(new Error(decision.reason));
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = this.identities.get(client);
        const decision = canSubscribe(who, sub.topic);
        if (decision.ok) return done(null, sub);
        refused.inc({ op: 'subscribe' });
        log.warn(`refused subscribe: ${decision.reason}`, { clientId: client.id, topic: sub.topic.slice(0, 200) });
        // off-the-shelf firmware subscribes to command topics it may not have: refuse that one
        // subscription (SUBACK 0x80) and keep the device connected
        if (who?.role === 'external') return done(null, null);
        done(new Error(decision.reason));
      },
    });
    await aedes.listen();
    aedes.on('clientError', (client, err) => log.debug(`client error: ${err.message}`, { clientId: client?.id }));
    aedes.on('clientReady', (client) => {
      if (this.identities.get(client)?.role === 'service') flow.watch(client);
    });
    aedes.on('clientDisconnect', (client) => flow.unwatch(client));
    this.aedes = aedes;
    metrics.gauge('campus_mqtt_connections', 'MQTT clients connected', () => aedes.connectedClients);

    this.listening = await listen(createServer(aedes.handle), this.opts.port, this.opts.host, 'MQTT', 'CAMPUS_MQTT_PORT');
    this.port = this.listening.port;
    log.info(`listening on mqtt://${this.opts.host}:${this.port}`, { credentials: this.credentials.size });
  }

  /** Secrets issued while the broker runs (npm run campus -- device secret) apply within a second. */
  private watchCredentials(): void {
    const store = this.credentials!;
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(dirname(store.path), (_event, file) => {
      if (file !== 'credentials.json' || !existsSync(store.path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          store.load();
          this.opts.log.info('credentials reloaded', { total: store.size });
          this.cutRevoked();
        } catch (err) {
          this.opts.log.error(`kept the previous credentials: ${(err as Error).message}`);
        }
      }, 200);
    });
    this.watcher.unref();
  }

  /** Disconnects every client whose login was disabled, removed or given a new secret: at once, not at its next connect. */
  private cutRevoked(): void {
    const aedes = this.aedes;
    if (!aedes) return;
    // aedes keeps connected clients by id (not in its typings)
    for (const client of Object.values((aedes as unknown as { clients: Record<string, Client> }).clients)) {
      const login = this.logins.get(client);
      if (!login || login.hash === undefined) continue; // services and simulated devices
      const record = this.credentials!.get(login.username);
      if (!record || record.disabled || record.hash !== login.hash) {
        this.opts.log.warn(`disconnected ${login.username}: its login was ${!record ? 'removed' : record.disabled ? 'disabled' : 'given a new secret'}`, {
          clientId: client.id,
        });
        client.close();
      }
    }
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    const listening = this.listening;
    const aedes = this.aedes;
    this.listening = undefined;
    this.aedes = undefined;
    this.flow?.release();
    await listening?.close();
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }

  /** The aedes instance, for tests that watch acknowledgements. */
  get instance(): Aedes | undefined {
    return this.aedes;
  }

  health(): PartHealth {
    if (!this.listening || !this.aedes || this.aedes.closed) return { ok: false, detail: 'broker is not listening' };
    return { ok: true, port: this.port, clients: this.aedes.connectedClients };
  }
}
