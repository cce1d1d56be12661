/**
 * The environment knobs every part honours (docs/operating/configuration.md), parsed once and frozen.
 * Every invalid value is listed together; the runner exits 1 on them.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_CAMPUS_FILE } from '@campus/site';
import { hostname } from 'node:os';
import { CampusError } from './errors.ts';
import { mqttServers } from './mqtt-servers.ts';

export interface Knobs {
  /** CAMPUS_CONFIG: path of the campus file */
  campusConfig: string;
  /** CAMPUS_DATA_DIR: embedded store, spool and secrets */
  dataDir: string;
  /** CAMPUS_HTTP_PORT / CAMPUS_HTTP_HOST */
  httpPort: number;
  httpHost: string;
  /** CAMPUS_MQTT_PORT / CAMPUS_MQTT_HOST: the broker's TCP listener */
  mqttPort: number;
  mqttHost: string;
  /** CAMPUS_MQTT_URL: where ingest and the simulator connect (default: this machine's broker) */
  mqttUrl: string;
  /** CAMPUS_INGEST_MQTT_USERNAME / _PASSWORD: ingest's login at an external broker (default: svc-ingest and the key in CAMPUS_DATA_DIR/secrets) */
  ingestMqttUsername?: string;
  ingestMqttPassword?: string;
  /** CAMPUS_INGEST_ASSIGNMENT: the file saying which ingest worker reads which site (several workers, deploy/); unset: one ingest reads CAMPUS_CONFIG's site */
  ingestAssignment?: string;
  /** CAMPUS_INGEST_WORKER: this worker's name in that file (default: the host name) */
  ingestWorker: string;
  /** CAMPUS_INGEST_CLIENT_ID: ingest's MQTT client id, its persistent session (default campus-ingest-<hostname>; unique per ingest process) */
  ingestClientId?: string;
  /** CAMPUS_INGEST_SHARED_GROUP: subscribe as `$share/{group}/...` (external brokers with shared subscriptions; aedes has none) */
  ingestSharedGroup?: string;
  /** CAMPUS_STORE */
  store: 'sqlite' | 'influx';
  /** CAMPUS_INFLUX_URL / CAMPUS_INFLUX_DB */
  influxUrl: string;
  influxDb: string;
  /** CAMPUS_SIM: run the simulator in-process */
  sim: boolean;
  /**
   * CAMPUS_PARTS: which parts this process runs (comma-separated broker, ingest, dashboard, sim);
   * unset: the whole system (the simulator with CAMPUS_SIM=on). One part per process is split
   * mode: the parts then meet on the broker at CAMPUS_MQTT_URL.
   */
  parts?: readonly SystemPart[];
  /** CAMPUS_SIM_BACKFILL_DAYS: history the simulator publishes first on a fresh install */
  simBackfillDays: number;
  /** CAMPUS_RAW_RETENTION_DAYS: how long raw readings are kept (rollups are kept for years) */
  rawRetentionDays: number;
  /** CAMPUS_SPOOL_MAX_MB: the disk spool that holds readings while the database is down */
  spoolMaxMb: number;
  /** CAMPUS_DEAD_LETTER_MAX_ROWS (10000) / CAMPUS_DEAD_LETTER_MAX_MB (64): refused messages kept, the oldest deleted first */
  deadLetterMaxRows: number;
  deadLetterMaxMb: number;
  /** CAMPUS_DEAD_LETTER_PAYLOAD_KB (4): a refused payload longer than this is kept as its first bytes, its length and its SHA-256 */
  deadLetterPayloadKb: number;
  /** CAMPUS_PENDING_DEVICES_MAX (1000): off-the-shelf devices listed on /devices for adoption at most */
  pendingDevicesMax: number;
  /** CAMPUS_TLS_CERT / CAMPUS_TLS_KEY: PEM files; when both are set the broker also listens with TLS */
  tlsCert?: string;
  tlsKey?: string;
  /** CAMPUS_MQTTS_PORT (8883) / CAMPUS_MQTT_WSS_PORT (8884): the TLS listeners */
  mqttsPort: number;
  mqttWssPort: number;
  /** CAMPUS_HTTPS_PORT (3443; 0: a free port): the dashboard's HTTPS listener, on when CAMPUS_TLS_CERT / CAMPUS_TLS_KEY are set */
  httpsPort: number;
  /** CAMPUS_MQTT_MAX_PACKET_KB: largest MQTT packet the broker accepts (64) */
  mqttMaxPacketKb: number;
  /** CAMPUS_MQTT_MAX_RETAINED (20000) / CAMPUS_MQTT_MAX_RETAINED_MB (16): retained messages the broker keeps at most (one is 4 KiB at most) */
  mqttMaxRetained: number;
  mqttMaxRetainedMb: number;
  /** CAMPUS_MQTT_MAX_SUBSCRIPTIONS: subscriptions one device or off-the-shelf login may hold (100; services are not bounded) */
  mqttMaxSubscriptions: number;
  /** CAMPUS_MQTT_MAX_CONNECTIONS: open MQTT connections at most (unset: 20000, or less when the open-file limit is lower: connectionBudget) */
  mqttMaxConnections?: number;
  /** CAMPUS_MQTT_CONNECT_RATE: new connections per second per source address that do not log in (20) */
  mqttConnectRate: number;
  /** CAMPUS_MQTT_TRUST_LOOPBACK: exempt 127.0.0.0/8 and ::1 from the connection rate, the per-address caps and login bans (off: a proxy on this host would make every client trusted; on for load tests from one machine) */
  mqttTrustLoopback: boolean;
  /** CAMPUS_MQTT_CONNECT_TIMEOUT_S: a connection that has not sent its CONNECT within this is closed (10) */
  mqttConnectTimeoutS: number;
  /** CAMPUS_MQTT_MAX_PENDING_PER_ADDRESS: connections of one source address that have not logged in yet, at once (64) */
  mqttMaxPendingPerAddress: number;
  /** CAMPUS_MQTT_ANONYMOUS_LOOPBACK: anonymous access for interoperability suites, loopback listener only (off) */
  mqttAnonymousLoopback: boolean;
  /** CAMPUS_BROKER_METRICS_PORT (9641) / CAMPUS_INGEST_METRICS_PORT (9642): /metrics of the broker and of ingest when each runs on its own (npm start serves one registry on the dashboard's port); off: none */
  brokerMetricsPort: number | 'off';
  ingestMetricsPort: number | 'off';
  /** CAMPUS_MQTT_PERSISTENCE: disk (default: sessions and acknowledged messages in CAMPUS_DATA_DIR/broker.db survive a stop or crash), memory (lost on a stop: tests) or redis (shared by broker nodes) */
  mqttPersistence: 'disk' | 'memory' | 'redis';
  /** CAMPUS_REDIS_URL: the Redis the broker keeps its sessions in (redis://127.0.0.1:6379) */
  redisUrl: string;
  /** CAMPUS_MQTT_CLUSTER: off (default) or redis: this broker is one node of several sharing CAMPUS_REDIS_URL (implies redis persistence) */
  mqttCluster: 'off' | 'redis';
  /** CAMPUS_MQTT_MAX_QUEUE: messages the broker queues for ingest while it is behind or away (200000) */
  mqttMaxQueue: number;
  /** CAMPUS_HTTP_TRUST_PROXY: off (default), loopback, or the proxy's addresses, when HTTPS ends at a reverse proxy */
  httpTrustProxy: false | string;
  /** CAMPUS_HTTP_SECURE_COOKIES: mark session cookies Secure (on behind an HTTPS proxy) */
  httpSecureCookies: boolean;
  /** CAMPUS_DASHBOARD_REDIS_URL: dashboards behind a load balancer share live ticket events through this Redis (socket.io Redis adapter); unset: none */
  dashboardRedisUrl?: string;
  /** CAMPUS_PUBLIC_URL: the dashboard's address as staff's phones reach it, for the links in notifications */
  publicUrl?: string;
}

type Env = Record<string, string | undefined>;

export const SYSTEM_PARTS = ['broker', 'ingest', 'dashboard', 'sim'] as const;
export type SystemPart = (typeof SYSTEM_PARTS)[number];

export function readKnobs(env: Env = process.env, defaults: { sim?: boolean } = {}): Readonly<Knobs> {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      problems.push(`${name}=${raw}: must be a port number 0-65535`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}=${raw}: must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  };
  const parts = (raw: string): SystemPart[] => {
    const list = raw.split(',').map((p) => p.trim()).filter(Boolean);
    const unknown = list.filter((p) => !(SYSTEM_PARTS as readonly string[]).includes(p));
    if (unknown.length || !list.length) problems.push(`CAMPUS_PARTS=${raw}: a comma-separated list of ${SYSTEM_PARTS.join(', ')}`);
    return [...new Set(list.filter((p): p is SystemPart => (SYSTEM_PARTS as readonly string[]).includes(p)))];
  };
  const portOrOff = (name: string, fallback: number): number | 'off' => (env[name]?.toLowerCase() === 'off' ? 'off' : port(name, fallback));
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['off', 'false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name}=${raw}: must be on or off`);
    return fallback;
  };

  const integer = (name: string, fallback: number, min: number, max: number, unit: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: must be ${min}-${max} ${unit}`);
      return fallback;
    }
    return n;
  };

  const mqttPort = port('CAMPUS_MQTT_PORT', 1883);
  const knobs: Knobs = {
    // several files, comma-separated, for a broker serving a district (site/src/campuses.ts)
    campusConfig: (env.CAMPUS_CONFIG || DEMO_CAMPUS_FILE)
      .split(',')
      .map((f) => resolve(f.trim()))
      .join(','),
    dataDir: resolve(env.CAMPUS_DATA_DIR || './data'),
    httpPort: port('CAMPUS_HTTP_PORT', 3000),
    httpHost: env.CAMPUS_HTTP_HOST || '0.0.0.0',
    mqttPort,
    mqttHost: env.CAMPUS_MQTT_HOST || '0.0.0.0',
    mqttUrl: env.CAMPUS_MQTT_URL || `mqtt://127.0.0.1:${mqttPort}`,
    ingestMqttUsername: env.CAMPUS_INGEST_MQTT_USERNAME || undefined,
    ingestMqttPassword: env.CAMPUS_INGEST_MQTT_PASSWORD || undefined,
    ingestSharedGroup: env.CAMPUS_INGEST_SHARED_GROUP || undefined,
    ingestClientId: env.CAMPUS_INGEST_CLIENT_ID || undefined,
    ingestAssignment: env.CAMPUS_INGEST_ASSIGNMENT || undefined,
    ingestWorker: env.CAMPUS_INGEST_WORKER || hostname(),
    store: oneOf('CAMPUS_STORE', ['sqlite', 'influx'] as const, 'sqlite'),
    influxUrl: env.CAMPUS_INFLUX_URL || 'http://127.0.0.1:8086',
    influxDb: env.CAMPUS_INFLUX_DB || 'campus',
    sim: flag('CAMPUS_SIM', defaults.sim ?? false),
    simBackfillDays: integer('CAMPUS_SIM_BACKFILL_DAYS', 28, 0, 35, 'days'),
    rawRetentionDays: integer('CAMPUS_RAW_RETENTION_DAYS', 90, 36, 3650, 'days'),
    spoolMaxMb: integer('CAMPUS_SPOOL_MAX_MB', 1024, 1, 1_000_000, 'MB'),
    deadLetterMaxRows: integer('CAMPUS_DEAD_LETTER_MAX_ROWS', 10_000, 10, 10_000_000, 'rows'),
    deadLetterMaxMb: integer('CAMPUS_DEAD_LETTER_MAX_MB', 64, 1, 100_000, 'MiB'),
    deadLetterPayloadKb: integer('CAMPUS_DEAD_LETTER_PAYLOAD_KB', 4, 1, 256, 'KiB'),
    pendingDevicesMax: integer('CAMPUS_PENDING_DEVICES_MAX', 1000, 10, 1_000_000, 'devices'),
    tlsCert: env.CAMPUS_TLS_CERT ? resolve(env.CAMPUS_TLS_CERT) : undefined,
    tlsKey: env.CAMPUS_TLS_KEY ? resolve(env.CAMPUS_TLS_KEY) : undefined,
    mqttsPort: port('CAMPUS_MQTTS_PORT', 8883),
    mqttWssPort: port('CAMPUS_MQTT_WSS_PORT', 8884),
    httpsPort: port('CAMPUS_HTTPS_PORT', 3443),
    mqttMaxPacketKb: integer('CAMPUS_MQTT_MAX_PACKET_KB', 64, 1, 256 * 1024, 'KiB'),
    mqttMaxRetained: integer('CAMPUS_MQTT_MAX_RETAINED', 20_000, 1, 10_000_000, 'messages'),
    mqttMaxRetainedMb: integer('CAMPUS_MQTT_MAX_RETAINED_MB', 16, 1, 64 * 1024, 'MiB'),
    mqttMaxSubscriptions: integer('CAMPUS_MQTT_MAX_SUBSCRIPTIONS', 100, 1, 1_000_000, 'subscriptions'),
    mqttMaxConnections: env.CAMPUS_MQTT_MAX_CONNECTIONS ? integer('CAMPUS_MQTT_MAX_CONNECTIONS', 20_000, 10, 1_000_000, 'connections') : undefined,
    mqttConnectRate: integer('CAMPUS_MQTT_CONNECT_RATE', 20, 1, 100_000, 'connections a second'),
    mqttTrustLoopback: flag('CAMPUS_MQTT_TRUST_LOOPBACK', false),
    mqttConnectTimeoutS: integer('CAMPUS_MQTT_CONNECT_TIMEOUT_S', 10, 1, 600, 'seconds'),
    mqttMaxPendingPerAddress: integer('CAMPUS_MQTT_MAX_PENDING_PER_ADDRESS', 64, 1, 100_000, 'connections'),
    mqttAnonymousLoopback: flag('CAMPUS_MQTT_ANONYMOUS_LOOPBACK', false),
    brokerMetricsPort: portOrOff('CAMPUS_BROKER_METRICS_PORT', 9641),
    ingestMetricsPort: portOrOff('CAMPUS_INGEST_METRICS_PORT', 9642),
    mqttPersistence: oneOf('CAMPUS_MQTT_PERSISTENCE', ['disk', 'memory', 'redis'] as const, 'disk'),
    redisUrl: env.CAMPUS_REDIS_URL || 'redis://127.0.0.1:6379',
    mqttCluster: oneOf('CAMPUS_MQTT_CLUSTER', ['off', 'redis'] as const, 'off'),
    mqttMaxQueue: integer('CAMPUS_MQTT_MAX_QUEUE', 200_000, 1000, 100_000_000, 'messages'),
    // never "true": a client could then choose its own address (X-Forwarded-For) and escape the login limit
    httpTrustProxy: !env.CAMPUS_HTTP_TRUST_PROXY || env.CAMPUS_HTTP_TRUST_PROXY === 'off' ? false : env.CAMPUS_HTTP_TRUST_PROXY,
    httpSecureCookies: flag('CAMPUS_HTTP_SECURE_COOKIES', false),
    dashboardRedisUrl: env.CAMPUS_DASHBOARD_REDIS_URL || undefined,
    publicUrl: env.CAMPUS_PUBLIC_URL ? env.CAMPUS_PUBLIC_URL.replace(/\/+$/, '') : undefined,
    parts: env.CAMPUS_PARTS ? parts(env.CAMPUS_PARTS) : undefined,
  };
  if (knobs.publicUrl && !(/^https?:\/\//.test(knobs.publicUrl) && URL.canParse(knobs.publicUrl)))
    problems.push(`CAMPUS_PUBLIC_URL=${knobs.publicUrl}: must be an http(s) URL such as https://campus.school.cn`);
  if (knobs.dashboardRedisUrl && !(/^rediss?:\/\//.test(knobs.dashboardRedisUrl) && URL.canParse(knobs.dashboardRedisUrl)))
    problems.push(`CAMPUS_DASHBOARD_REDIS_URL=${knobs.dashboardRedisUrl}: must be a redis:// or rediss:// URL such as redis://10.0.0.5:6379`);
  if (knobs.httpTrustProxy === 'true' || knobs.httpTrustProxy === 'on') {
    problems.push('CAMPUS_HTTP_TRUST_PROXY: name the proxy (loopback, or its addresses), not "on": any client could then pick its own address');
  }
  if (Boolean(knobs.tlsCert) !== Boolean(knobs.tlsKey))
    problems.push('CAMPUS_TLS_CERT and CAMPUS_TLS_KEY: set both (a certificate and its private key) or neither');
  if (knobs.tlsCert && knobs.httpsPort !== 0 && [knobs.httpPort, knobs.mqttPort, knobs.mqttsPort, knobs.mqttWssPort].includes(knobs.httpsPort))
    problems.push(
      `CAMPUS_HTTPS_PORT=${knobs.httpsPort}: already the port of another listener (CAMPUS_HTTP_PORT, CAMPUS_MQTT_PORT, CAMPUS_MQTTS_PORT or CAMPUS_MQTT_WSS_PORT)`,
    );
  try {
    mqttServers(knobs.mqttUrl);
  } catch (err) {
    problems.push(`CAMPUS_MQTT_URL=${knobs.mqttUrl}: ${(err as Error).message} (several broker nodes: comma-separated)`);
  }
  if (problems.length) {
    throw new CampusError('CAMPUS_ERR_KNOB', `invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return Object.freeze(knobs);
}

/**
 * The soft limit on open files of this process (RLIMIT_NOFILE, `ulimit -n`; Node raises it to the
 * hard limit at start), from /proc/self/limits; undefined where that cannot be read.
 */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === 'unlimited') return Number.POSITIVE_INFINITY;
    const n = Number(soft);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Below this many open files the broker and the dashboard warn at start (the quick start's `ulimit -n` of 1024 is). */
export const LOW_OPEN_FILE_LIMIT = 4096;

/**
 * How one process shares its open files among client connections, so that a flood of sockets on
 * one port cannot take the descriptors everything else needs: a quarter of the limit (at least
 * 128) stays for the database files, logs, outgoing connections and the client ends of the
 * in-process simulator and ingest; of the rest, 60 % may be MQTT connections and 40 % HTTP ones
 * (the broker and the dashboard each keep under their share, in one process or apart).
 * Unknown or unlimited: no cap from here.
 */
export function connectionBudget(limit = openFileLimit()): { limit?: number; mqtt: number; http: number } {
  if (limit === undefined || !Number.isFinite(limit)) return { limit, mqtt: Number.POSITIVE_INFINITY, http: Number.POSITIVE_INFINITY };
  const sockets = Math.max(0, limit - Math.max(128, Math.floor(limit / 4)));
  return { limit, mqtt: Math.max(1, Math.floor(sockets * 0.6)), http: Math.max(1, Math.floor(sockets * 0.4)) };
}

/** The line a part logs at start when the limit is low; undefined when it is not. */
export function lowOpenFileLimitWarning(part: string, connections: string): string | undefined {
  const { limit } = connectionBudget();
  if (limit === undefined || limit >= LOW_OPEN_FILE_LIMIT) return undefined;
  return (
    `the open-file limit of this process is ${limit} (ulimit -n): ${part} accepts at most ${connections}. ` +
    'Raise it: `ulimit -n 65536` in the shell before npm start, LimitNOFILE=65536 in a systemd unit (deploy/systemd has it), ' +
    '`ulimits: nofile: 65536` in docker compose (deploy/compose.yaml has it); see docs/operating/security-hostile-clients.md'
  );
}
