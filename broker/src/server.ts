/**
 * The MQTT broker: aedes on a TCP listener, with per-identity authentication (no anonymous
 * access) and the topic ACL of acl.ts. Metrics go to the process registry.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import type { Campus } from '@campus/site';
import { CampusError, listen, startOrUndo, Throttled, type Listening, type Log, type MetricsRegistry, type PartHealth, type Service } from '@campus/runtime';
import { canPublish, canSubscribe, canWill, keepsRetain } from './acl.ts';
import { Admission, type AdmissionOptions } from './admission.ts';
import { checkIdentifier, checkTopic, DEFAULT_LIMITS, guardPackets, type Limits } from './limits.ts';
import { SubscriberFlow, type FlowOptions } from './flow.ts';
import { QueueBeforeAck } from './queue-before-ack.ts';
import { CLUSTER_HEARTBEAT_MS, ClusterQueues, isStaleWill, openRedisEmitter } from './cluster.ts';
import { openPersistence, type OpenedPersistence, type PersistenceOptions } from './persistence.ts';
import { DEFAULT_RETAINED_LIMITS, RetainedBounds, type RetainedLimits } from './retained-bounds.ts';
import { Qos2Bound } from './qos2-bound.ts';
import { startTlsListeners, type TlsListeners, type TlsOptions } from './tls.ts';
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
  /** packet size and topic limits (limits.ts) */
  limits?: Partial<Limits>;
  /** connection cap, rate per address, bans after failed logins (admission.ts) */
  admission?: AdmissionOptions;
  /** MQTTS and WSS listeners (tls.ts), when a certificate is configured */
  tls?: TlsOptions;
  /**
   * Anonymous access, for running interoperability suites against the broker on its own: refused
   * unless `host` is a loopback address. Anonymous clients publish and subscribe anywhere except
   * $-topics and `denySubscribe`. Off unless set (CAMPUS_MQTT_ANONYMOUS_LOOPBACK=on).
   */
  anonymous?: { denySubscribe?: string[] };
  /** sessions and queued messages: disk (default), memory or redis (persistence.ts) */
  persistence?: Partial<PersistenceOptions>;
  /** retained messages at most (retained-bounds.ts) */
  retained?: Partial<RetainedLimits>;
  /** one node of several sharing Redis (cluster.ts); needs redis persistence */
  cluster?: { redisUrl: string };
  /** a subscriber whose socket does not drain for this long is disconnected, so it cannot stall delivery to the others (default 30 s) */
  drainTimeoutMs?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const IDENTIFIER_REJECTED = 2;

const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function authError(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode }) as Error & { returnCode: 4 | 5 };
}

/**
 * A subscription past the client's bound (a new filter; renewing one it holds is always allowed).
 * `granted` are the filters authorized on this connection: aedes authorizes every filter of a
 * SUBSCRIBE before it adds any to the client, so its own list cannot count them.
 */
function tooManySubscriptions(granted: Set<string>, filter: string, limits: Limits): string | undefined {
  if (granted.has(filter) || granted.size < limits.maxSubscriptionsPerClient) return undefined;
  return `a client may hold ${limits.maxSubscriptionsPerClient} subscriptions at most`;
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
  private tls?: TlsListeners;
  private persistence?: OpenedPersistence;
  private cluster?: ClusterQueues;
  /**
   * device publishes authorized and not yet through aedes' publish pipeline (storeRetained and the
   * emitter run after the PUBACK; the queueing itself is done before it, queue-before-ack.ts), so
   * stop() waits for these before closing the persistence
   */
  private publishing = 0;
  private publishingDrained?: () => void;
  /** each client's source address (its stream may be TLS or WebSocket) */
  private readonly addresses = new WeakMap<Client, string | undefined>();
  /** the filters each connection was granted (the bound on subscriptions per client) */
  private readonly subscribed = new WeakMap<Client, Set<string>>();
  /** the CONNECT packet's fields authenticate needs and aedes does not pass on */
  private readonly connects = new WeakMap<Client, { clientId: string; clean: boolean; will?: { topic: string; retain: boolean } }>();

  constructor(private readonly opts: BrokerOptions) {}

  // a port in use, a certificate that does not load, Redis away: the persistence file, the
  // credentials watcher and any listener of this attempt are released
  async start(): Promise<void> {
    await startOrUndo(this, () => this.startParts());
  }

  private async startParts(): Promise<void> {
    const { log, metrics } = this.opts;
    if (this.opts.anonymous && !LOOPBACK_HOSTS.has(this.opts.host)) {
      throw new CampusError(
        'CAMPUS_ERR_CONFIG',
        `anonymous MQTT access is only for interoperability tests on a loopback listener; CAMPUS_MQTT_HOST is ${this.opts.host} (set it to 127.0.0.1, or turn CAMPUS_MQTT_ANONYMOUS_LOOPBACK off)`,
      );
    }
    const anonymous = this.opts.anonymous ? ({ role: 'anonymous', denySubscribe: this.opts.anonymous.denySubscribe ?? [] } as const) : undefined;
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
    const opened = await openPersistence(
      { kind: 'disk', dataDir: this.opts.dataDir, ...this.opts.persistence, maxSessionDelivery: flow.maxQueued },
      log,
    );
    this.persistence = opened;
    const persistence = opened.persistence;
    // innermost first: the disk copy (in openPersistence), the retained bounds, flow control, then queue-before-ack
    const retainedLimits: RetainedLimits = { ...DEFAULT_RETAINED_LIMITS, ...this.opts.retained };
    const retainedRefused = metrics.counter('campus_mqtt_retained_refused_total', 'retained messages delivered but not kept: over a bound (count, bytes, size of one)');
    // one line a minute at most: a flood of retained messages must not flood the journal too
    let lastRefused = { topic: '', reason: '', bytes: 0 };
    const retainedNotice = new Throttled((n) =>
      log.warn(
        `${n} retained message(s) not kept, the last ${lastRefused.reason}: ${lastRefused.bytes} bytes (at most ${retainedLimits.maxRetained} topics, ${retainedLimits.maxRetainedBytes} bytes, ${retainedLimits.maxRetainedPayload} bytes each)`,
        { topic: lastRefused.topic.slice(0, 200) },
      ),
    );
    const retained = new RetainedBounds(retainedLimits, (topic, reason, bytes) => {
      retainedRefused.inc({ reason });
      lastRefused = { topic, reason, bytes };
      retainedNotice.add(1);
    });
    retained.wrap(persistence);
    metrics.gauge('campus_mqtt_retained', 'retained messages kept', () => retained.count);
    metrics.gauge('campus_mqtt_retained_bytes', 'bytes of retained messages kept', () => retained.bytes);
    const limits: Limits = { ...DEFAULT_LIMITS, ...this.opts.limits };
    const qos2 = new Qos2Bound(limits.maxQos2Pending);
    qos2.wrap(persistence);
    metrics.counterFrom(
      'campus_mqtt_qos2_refused_total',
      'QoS 2 publishes refused (connection closed): their client id had too many awaiting PUBREL',
      () => qos2.refused,
    );
    flow.wrap(persistence);
    const queueBeforeAck = new QueueBeforeAck();
    queueBeforeAck.wrap(persistence);
    const disk = opened.disk;
    if (disk) {
      // what the last run acknowledged and ingest had not taken is queued again before anyone connects
      for (const id of disk.services()) flow.knowService(id);
      const restored = await disk.restore(persistence);
      if (restored.messages || restored.sessions)
        log.info(`restored from ${disk.file}: ${restored.messages} queued messages, ${restored.sessions} sessions, ${restored.retained} retained`);
      metrics.gauge('campus_mqtt_queued_on_disk', 'QoS 1 messages on disk waiting for their persistent subscriber to acknowledge them', () => disk.queuedOnDisk);
    }
    let mq: object | undefined;
    if (this.opts.cluster) {
      if (!opened.redis) throw new CampusError('CAMPUS_ERR_CONFIG', 'a broker cluster (CAMPUS_MQTT_CLUSTER=redis) needs CAMPUS_MQTT_PERSISTENCE=redis');
      try {
        mq = (await openRedisEmitter(this.opts.cluster.redisUrl, log)).mq;
      } catch (err) {
        await opened.close();
        throw err;
      }
    }
    metrics.gauge('campus_mqtt_subscriber_queue', 'messages queued for the busiest service subscriber (ingest) and not yet acknowledged', () => flow.deepest);
    metrics.counterFrom('campus_mqtt_flow_waits_total', 'device publishes that waited for ingest to catch up (flow control)', () => flow.waits);
    metrics.gauge(
      'campus_mqtt_service_queue',
      'messages queued for a service subscriber (ingest), connected or not: at CAMPUS_MQTT_MAX_QUEUE devices are refused',
      () => flow.deepestService,
    );
    metrics.counterFrom('campus_mqtt_queue_dropped_total', 'messages not queued for a non-service subscriber past its bound', () => flow.dropped);

    const admission = new Admission(this.opts.admission);
    if (admission.warning) log.warn(admission.warning);
    const connRefused = metrics.counter(
      'campus_mqtt_connections_refused_total',
      'TCP connections closed before logging in: connection cap, not logged in yet (per address, in all, idle one evicted), rate limit, banned address',
    );
    const packetsRefused = metrics.counter('campus_mqtt_packets_refused_total', 'MQTT packets refused for their size (the connection is closed)');
    metrics.gauge('campus_mqtt_banned_addresses', 'source addresses banned for repeated failed logins', () => admission.banned().length);

    const aedes = new Aedes({
      persistence,
      // a cluster notices a dead node after 3 heartbeats and publishes its clients' wills (default 60 s: minutes)
      ...(mq ? { mq, heartbeatInterval: CLUSTER_HEARTBEAT_MS } : {}),
      drainTimeout: this.opts.drainTimeoutMs ?? 30_000,
      // per connection; qos2-bound.ts bounds them per client id across connections
      maxInflightInbound: limits.maxQos2Pending,
      // a socket that sends no CONNECT is closed after this (admission.ts; aedes' default is 30 s)
      connectTimeout: admission.limits.connectTimeoutMs,
      // our own check (limits.ts) counts and logs the refusal; aedes' hard ceiling stays behind it
      maxTopicLevels: 100,
      preConnect: (client, packet, done) => {
        const will = packet.will ? { topic: packet.will.topic, retain: Boolean(packet.will.retain) } : undefined;
        this.connects.set(client, { clientId: packet.clientId, clean: packet.clean !== false, will });
        done(null, true);
      },
      authenticate: (client, username, password, done) => {
        const fail = (msg: string, code: number) => {
          authFailures.inc();
          const address = this.addresses.get(client);
          // bounded: a hostile client id or username can be 64 KiB
          log.warn(`refused connection: ${msg}`, { clientId: client.id?.slice(0, 200), username: username?.slice(0, 200), address });
          if (admission.failedLogin(address)) log.warn(`banned ${address} for repeated failed logins`, { address });
          done(authError(msg, code), false);
        };
        const connect = this.connects.get(client);
        // [MQTT-3.1.3-8]: a zero-length client id needs a clean session
        if (connect && connect.clientId === '' && !connect.clean) return fail('a zero-length client id needs clean session', IDENTIFIER_REJECTED);
        const badId = connect?.clientId ? checkIdentifier('client id', connect.clientId) : undefined;
        if (badId) return fail(badId, IDENTIFIER_REJECTED);
        if (anonymous && !username && !password) {
          this.identities.set(client, anonymous);
          return done(null, true);
        }
        if (!username || !password) return fail('anonymous access is not allowed', NOT_AUTHORIZED);
        const badUser = checkIdentifier('username', username);
        if (badUser) return fail(badUser, BAD_USERNAME_OR_PASSWORD);
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
            if (connect?.will) {
              const will = canWill(who, connect.will.topic, connect.will.retain);
              if (!will.ok) return fail(`will refused: ${will.reason}`, NOT_AUTHORIZED);
            }
            this.identities.set(client, who);
            this.logins.set(client, { username, hash: found ? this.credentials!.get(username)?.hash : undefined });
            done(null, true);
          },
          (err) => fail(`credential check failed: ${(err as Error).message}`, NOT_AUTHORIZED),
        );
      },
      authorizePublish: (client, packet, done) => {
        // a will another node stored, published here because that node died (aedes' _clearWills):
        // stale if its client has published on that topic through another node since (cluster.ts)
        const willOf = (packet as { brokerId?: string }).brokerId;
        if (this.opts.cluster && willOf && willOf !== aedes.id && (client === null || !client.closed)) {
          void isStaleWill(persistence, packet.topic, willOf).then((stale) => {
            if (stale) {
              // refusing would abort aedes' whole pass over the dead node's wills (and repeat it forever):
              // divert this one to a $SYS topic no device or service reads, not retained
              log.info(`diverted the will of ${packet.topic} left on a dead broker node: its client is back through another node`);
              packet.topic = `$SYS/${aedes.id}/stale-wills/${packet.topic}`;
              packet.retain = false;
            }
            done(null);
          });
          return;
        }
        // client is null when aedes publishes a stored will of a gone client: it was checked on connect
        if (client === null) return done(null);
        const who = this.identities.get(client);
        const bad = checkTopic(packet.topic, limits);
        const decision = bad ? { ok: false as const, reason: bad } : canPublish(who, packet.topic, packet.retain);
        if (decision.ok) {
          // an off-the-shelf device that retains its readings would replay them to every new subscriber
          if (packet.retain && !keepsRetain(who, packet.topic)) packet.retain = false;
          // a device waits while ingest is far behind (flow.ts); services never do
          if (who?.role !== 'service' && flow.full()) {
            refused.inc({ op: 'publish_queue_full' });
            return done(new Error(`ingest's queue is full (${flow.maxQueued} messages): publish again later`));
          }
          const wait = who?.role === 'service' ? undefined : flow.gate();
          const go = () => {
            if (client.closed) return done(null);
            this.publishing++;
            if (packet.qos !== 1) return done(null);
            // the PUBACK goes out once the message is queued for ingest (queue-before-ack.ts)
            queueBeforeAck.queue(aedes, client.id, packet).then(
              () => done(null),
              (err: Error) => {
                this.publishing--;
                log.error(`could not queue a publish (the device will send it again): ${err.message}`, { clientId: client.id });
                done(err);
              },
            );
          };
          if (wait) return void wait.then(go);
          return go();
        }
        refused.inc({ op: 'publish' });
        log.warn(`refused publish: ${decision.reason}`, { clientId: client.id, topic: packet.topic.slice(0, 200) });
        done(new Error(decision.reason));
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = this.identities.get(client);
        let granted = this.subscribed.get(client);
        if (!granted) this.subscribed.set(client, (granted = new Set()));
        const bad = checkTopic(sub.topic, limits, 'filter') ?? (who?.role === 'service' ? undefined : tooManySubscriptions(granted, sub.topic, limits));
        const decision = bad ? { ok: false as const, reason: bad } : canSubscribe(who, sub.topic);
        if (decision.ok) {
          granted.add(sub.topic);
          return done(null, sub);
        }
        refused.inc({ op: 'subscribe' });
        log.warn(`refused subscribe: ${decision.reason}`, { clientId: client.id, topic: sub.topic.slice(0, 200) });
        // off-the-shelf firmware subscribes to command topics it may not have: refuse that one
        // subscription (SUBACK 0x80) and keep the device connected
        if (who?.role === 'external' || who?.role === 'anonymous') return done(null, null);
        done(new Error(decision.reason));
      },
    });
    await aedes.listen();
    aedes.on('clientError', (client, err) => log.debug(`client error: ${err.message}`, { clientId: client?.id }));
    aedes.on('publish', (_packet, client) => {
      // emitted once the message went through storeRetained, enqueueOffline and the emitter
      if (!client || this.publishing === 0) return;
      if (--this.publishing === 0) this.publishingDrained?.();
    });
    const cluster = opened.redis && this.opts.cluster ? new ClusterQueues(opened.redis, flow, aedes.id, log) : undefined;
    this.cluster = cluster;
    cluster?.start();
    aedes.on('clientReady', (client) => {
      if (this.identities.get(client)?.role !== 'service') return;
      flow.watch(client);
      disk?.rememberService(client.id);
      cluster?.connected(client);
    });
    aedes.on('unsubscribe', (filters, client) => {
      const granted = client && this.subscribed.get(client);
      if (granted) for (const f of filters) granted.delete(f);
    });
    aedes.on('clientDisconnect', (client) => {
      flow.unwatch(client);
      cluster?.disconnected(client);
    });
    this.aedes = aedes;
    metrics.gauge('campus_mqtt_connections', 'MQTT clients connected', () => aedes.connectedClients);

    // every listener's connections come here: admission first, then aedes with the packet-size guard
    const onConnection = (stream: Duplex, address: string | undefined, req?: IncomingMessage) => {
      const admitted = admission.admit(address, stream, (reason) => {
        connRefused.inc({ reason });
        log.debug(`connection from ${address} closed before logging in: ${reason}`);
      });
      if (!admitted) return;
      const client = aedes.handle(stream as never, req);
      client.once('connected', admitted.authenticated);
      this.addresses.set(client, address);
      guardPackets(
        client,
        limits.maxPacketBytes,
        (bytes) => {
          packetsRefused.inc({ reason: 'too_large' });
          log.warn(`closed a connection that sent a packet of ${bytes} bytes (limit ${limits.maxPacketBytes})`, {
            clientId: client.id?.slice(0, 200),
            address,
          });
        },
        (reason) => {
          packetsRefused.inc({ reason: 'protocol' });
          log.warn(`closed a connection that sent ${reason}`, { clientId: client.id?.slice(0, 200), address });
        },
      );
    };
    const server = createServer((conn) => onConnection(conn, conn.remoteAddress));
    this.listening = await listen(server, this.opts.port, this.opts.host, 'MQTT', 'CAMPUS_MQTT_PORT');
    if (this.opts.tls) {
      try {
        this.tls = await startTlsListeners(this.opts.tls, log, onConnection);
      } catch (err) {
        await this.stop();
        throw err;
      }
    }
    this.port = this.listening.port;
    log.info(`listening on mqtt://${this.opts.host}:${this.port}`, {
      credentials: this.credentials.size,
      persistence: opened.describe,
      ...(this.opts.cluster ? { cluster: `node ${aedes.id} of the cluster on ${opened.describe}` } : {}),
    });
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
    const tls = this.tls;
    this.tls = undefined;
    await tls?.close();
    this.listening = undefined;
    await listening?.close();
    this.flow?.release();
    this.cluster?.stop();
    // what was acknowledged must reach the persistence before it closes (at most 5 s)
    if (this.publishing > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        this.publishingDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const persistence = this.persistence;
    this.persistence = undefined;
    await persistence?.close();
  }

  /**
   * Resolves once the service subscribers (ingest) have acknowledged everything queued for them, or
   * after `timeoutMs`. A whole-system stop calls it between stopping the simulator and stopping
   * ingest, so what the devices said last (their "offline") is stored in this run rather than from
   * broker.db at the next start. Nothing depends on it for durability.
   */
  async drainServices(timeoutMs = 5000): Promise<void> {
    const flow = this.flow;
    if (!flow) return;
    const until = Date.now() + timeoutMs;
    while (flow.deepestService > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  /** The aedes instance, for tests that watch acknowledgements. */
  get instance(): Aedes | undefined {
    return this.aedes;
  }

  health(): PartHealth {
    if (!this.listening || !this.aedes || this.aedes.closed) return { ok: false, detail: 'broker is not listening' };
    return {
      ok: true,
      port: this.port,
      clients: this.aedes.connectedClients,
      ...(this.tls ? { mqttsPort: this.tls.mqtts.port, wssPort: this.tls.wss.port } : {}),
    };
  }
}
