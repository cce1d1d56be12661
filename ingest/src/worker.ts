/**
 * An ingest worker of a district deployment: several workers share the sites of an assignment file
 * (assignment.ts). aedes has no shared subscriptions, so the work is split by site, and a site moves
 * between workers whole:
 *
 * - Each site is read by one IngestService of its own, with its own persistent MQTT session
 *   (client id `campus-ingest-site-{siteId}`) and its own state directory
 *   (`CAMPUS_DATA_DIR/sites/{siteId}`: tickets, detector state, last readings, disk spool). The
 *   session and the directory belong to the site, not to the worker: whoever reads the site next
 *   gets the messages queued for it meanwhile and carries on its tickets and learned references.
 *   So the workers of one deployment share CAMPUS_DATA_DIR (one host; see README "Scale out").
 * - Workers agree over MQTT (topics.ts `campus-ops/ingest/...`): each announces itself with a
 *   retained status whose will says "offline" when its connection drops (a killed worker's socket
 *   closes at once), and each site's reader publishes a retained lease ("reading" / "released").
 * - A site is read by the first worker of its list that is up. A worker starts a site only when the
 *   lease says released, or names itself, or names a worker that is down, so two workers never
 *   read one site at once by plan (and if they did, MQTT's client-id takeover lets one session
 *   through and the store ignores duplicates). The previous reader stops gracefully first: it
 *   stores and acknowledges what it holds, saves detector state, closes the site's files, then
 *   publishes "released".
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Reading } from '@campus/contract';
import { siteLeaseTopic, workerPresenceTopic, INGEST_OPS_ROOT } from '@campus/contract';
import { CampusError, describeError, loadOrCreateKey, SERVICE_USERS, type Log, type MetricsRegistry, type PartHealth, type Service } from '@campus/runtime';
import { loadAssignment, type Assignment } from './assignment.ts';
import { connectMqtt } from '@campus/runtime';
import { IngestService, type IngestOptions } from './service.ts';
import type { StatusChange } from '@campus/store';
import type { Campus } from '@campus/site';

export interface WorkerOptions {
  /** this worker's name in the assignment file */
  name: string;
  assignmentFile: string;
  /** shared by the workers of a deployment: `sites/{siteId}` under it, and the secrets */
  dataDir: string;
  mqttUrl: string;
  log: Log;
  metrics: MetricsRegistry;
  /** how each site's ingest stores and what it subscribes to (everything but the site's own settings) */
  ingest: Pick<IngestOptions, 'store' | 'influx' | 'rawRetentionDays' | 'spoolMaxBytes' | 'maxBatch' | 'maxDelayMs' | 'detection' | 'mqttLogin'> &
    Partial<Pick<IngestOptions, 'openStore'>>;
  /** told when this worker takes up a site (its ingest running) and before it hands one over: the composition root serves the site's repairs desk */
  onSite?: {
    taken(siteId: string, service: IngestService, campus: Campus): Promise<void>;
    released(siteId: string): Promise<void>;
  };
  /** how often the assignment file is checked for changes (default 2 s) */
  checkEveryMs?: number;
  /** after connecting, how long to wait for the others' retained statuses before taking a site (default 1.5 s) */
  settleMs?: number;
}

type Presence = { state: 'online' | 'offline'; epoch: number };
type Lease = { worker: string; state: 'reading' | 'released' };

export class IngestWorker extends EventEmitter<{ readings: [Reading[]]; statuses: [StatusChange[]] }> implements Service {
  readonly name = 'ingest';
  private assignment!: Assignment;
  private presence?: MqttClient;
  private readonly workers = new Map<string, Presence>();
  private readonly leases = new Map<string, Lease>();
  /** the sites this worker reads */
  readonly running = new Map<string, IngestService>();
  private reconciling = Promise.resolve();
  private pending = false;
  private timer?: NodeJS.Timeout;
  private epoch = Date.now();
  private stopping = false;
  private lastError?: string;
  /** sites are taken only from this time on (the retained state of the others has arrived) */
  private settledAt = Infinity;

  constructor(private readonly opts: WorkerOptions) {
    super();
  }

  async start(): Promise<void> {
    const { log, name } = this.opts;
    this.assignment = loadAssignment(this.opts.assignmentFile);
    const mine = this.assignment.sites.filter((s) => s.workers.includes(name));
    if (!mine.length) log.warn(`worker ${name} is not named for any site in ${this.opts.assignmentFile}`);
    const offline = JSON.stringify({ state: 'offline', epoch: this.epoch } satisfies Presence);
    const client = connectMqtt(this.opts.mqttUrl, {
      clientId: `campus-ingest-worker-${name}`.slice(0, 64),
      username: this.opts.ingest.mqttLogin?.username ?? SERVICE_USERS.ingest,
      password: this.opts.ingest.mqttLogin?.password ?? loadOrCreateKey(this.opts.dataDir, 'ingest'),
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      will: { topic: workerPresenceTopic(name), payload: Buffer.from(offline), qos: 1, retain: true },
    });
    this.presence = client;
    client.on('error', (err) => log.warn(`mqtt (worker status): ${err.message}`));
    client.on('message', (topic, payload) => this.onOps(topic, payload));
    client.on('connect', () => {
      // the retained statuses and leases arrive after the subscription: until they had time to, every
      // other worker looks down and every site free, so take nothing for a moment (releasing is fine)
      this.settledAt = Date.now() + (this.opts.settleMs ?? 1500);
      setTimeout(() => this.reconcile(), (this.opts.settleMs ?? 1500) + 50).unref();
      void (async () => {
        try {
          await client.subscribeAsync(`${INGEST_OPS_ROOT}/#`, { qos: 1 });
          await this.announce();
          this.reconcile();
        } catch (err) {
          log.warn(`worker status: ${describeError(err)}`);
        }
      })();
    });
    client.on('close', () => {
      // the next connection says "online" with a newer epoch, and carries a will of that epoch: the
      // will of this one, published late by a cluster that noticed a dead broker node, is then ignored
      this.epoch = Math.max(Date.now(), this.epoch + 1);
      const will = client.options.will;
      if (will) will.payload = Buffer.from(JSON.stringify({ state: 'offline', epoch: this.epoch } satisfies Presence));
      // without our status on the broker the others may take our sites: stop reading them (their
      // sessions keep what arrives meanwhile) until we are back
      if (!this.stopping && this.running.size) {
        log.warn('lost the broker: handing back the sites read here until it is back');
        this.reconcile();
      }
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(t);
        client.off('error', onError);
        client.end(true);
        reject(err);
      };
      const t = setTimeout(() => fail(new CampusError('CAMPUS_ERR_MQTT', `no answer from ${this.opts.mqttUrl} within 15 s`)), 15_000);
      // a refused login will not get better by retrying
      const onError = (err: Error & { code?: number }) => {
        if (typeof err.code === 'number')
          fail(new CampusError('CAMPUS_ERR_MQTT', `broker ${this.opts.mqttUrl} refused worker ${name}: ${err.message}`, { cause: err }));
      };
      client.on('error', onError);
      client.once('connect', () => {
        clearTimeout(t);
        client.off('error', onError);
        resolve();
      });
    });
    this.timer = setInterval(() => this.checkAssignment(), this.opts.checkEveryMs ?? 2000);
    this.timer.unref();
    log.info(`ingest worker ${name} started`, { sites: mine.map((s) => s.siteId) });
  }

  private async announce(): Promise<void> {
    const online: Presence = { state: 'online', epoch: this.epoch };
    await this.presence!.publishAsync(workerPresenceTopic(this.opts.name), JSON.stringify(online), { qos: 1, retain: true });
  }

  private onOps(topic: string, payload: Buffer): void {
    const [, , kind, id] = topic.split('/');
    if (!id) return;
    try {
      if (kind === 'workers') {
        const p = JSON.parse(payload.toString()) as Presence;
        const known = this.workers.get(id);
        // a will from an older connection arrives late (a broker node that died publishes it when the cluster notices): ignore it
        if (known && p.epoch < known.epoch) return;
        this.workers.set(id, p);
        // our own "offline" while we are connected: an old will, or a network split the others saw; say we are here
        if (id === this.opts.name && p.state === 'offline' && this.presence?.connected) {
          this.epoch = Math.max(Date.now(), p.epoch + 1);
          void this.announce().catch(() => {});
        }
      } else if (kind === 'sites') {
        this.leases.set(id, JSON.parse(payload.toString()) as Lease);
      } else return;
    } catch {
      return; // not ours to judge: someone else's payload under the ops root
    }
    this.reconcile();
  }

  private up(worker: string): boolean {
    if (worker === this.opts.name) return Boolean(this.presence?.connected) && !this.stopping;
    return this.workers.get(worker)?.state === 'online';
  }

  private upList(): string[] {
    return [...new Set([this.opts.name, ...this.workers.keys()])].filter((w) => this.up(w));
  }

  private checkAssignment(): void {
    try {
      const next = loadAssignment(this.opts.assignmentFile);
      if (next.mtimeMs === this.assignment.mtimeMs) return;
      this.assignment = next;
      this.opts.log.info('assignment changed', { sites: next.sites.map((s) => `${s.siteId}: ${s.workers.join(' > ')}`) });
      this.reconcile();
    } catch (err) {
      // a half-saved or wrong file: keep the last good one and say why
      this.lastError = describeError(err);
      this.opts.log.error(`kept the previous assignment: ${this.lastError}`);
    }
  }

  /** Brings the sites read here in line with the assignment, the workers up and the leases; one pass at a time. */
  private reconcile(): void {
    if (this.pending) return;
    this.pending = true;
    this.reconciling = this.reconciling.then(async () => {
      this.pending = false;
      try {
        await this.reconcileOnce();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = describeError(err);
        this.opts.log.error(`worker: ${this.lastError}`);
        setTimeout(() => this.reconcile(), 2000).unref();
      }
    });
  }

  private async reconcileOnce(): Promise<void> {
    const me = this.opts.name;
    for (const site of this.assignment.sites) {
      const owner = site.workers.find((w) => this.up(w));
      const running = this.running.get(site.siteId);
      if (owner !== me && running) {
        this.opts.log.info(`site ${site.siteId} belongs to ${owner ?? 'nobody up'} now`, { up: this.upList() });
        await this.release(site.siteId, running);
      }
      if (owner === me && !running && Date.now() >= this.settledAt) {
        const lease = this.leases.get(site.siteId);
        const free = !lease || lease.worker === me || lease.state === 'released' || !this.up(lease.worker);
        if (free) {
          this.opts.log.info(`site ${site.siteId} is ours`, { up: this.upList(), lease });
          await this.take(site.siteId);
        } else this.opts.log.info(`site ${site.siteId}: waiting for ${lease.worker} to hand it over`);
      }
    }
    // sites removed from the file
    for (const [siteId, service] of this.running) if (!this.assignment.sites.some((s) => s.siteId === siteId)) await this.release(siteId, service);
  }

  private async take(siteId: string): Promise<void> {
    const site = this.assignment.sites.find((s) => s.siteId === siteId)!;
    const { log } = this.opts;
    // the settings of `npm run start:ingest` may carry a client id, data dir or shared group: the site's own win
    const { mqttLogin, ...settings } = this.opts.ingest;
    const service = new IngestService({
      ...settings,
      sharedGroup: undefined,
      dataDir: join(this.opts.dataDir, 'sites', siteId),
      campuses: [site.campus],
      mqttUrl: this.opts.mqttUrl,
      clientId: `campus-ingest-site-${siteId}`.slice(0, 64),
      mqttLogin: { ...mqttLogin, secretsDir: this.opts.dataDir },
      topics: 'sites',
      log: log.child(siteId),
      metrics: this.opts.metrics,
    });
    service.on('readings', (r) => this.emit('readings', r));
    service.on('statuses', (s) => this.emit('statuses', s));
    await service.start();
    this.running.set(siteId, service);
    await this.opts.onSite?.taken(siteId, service, site.campus).catch((err: unknown) => log.warn(`site ${siteId}: ${describeError(err)}`));
    await this.lease(siteId, 'reading');
    log.info(`reading site ${siteId}`);
  }

  private async release(siteId: string, service: IngestService): Promise<void> {
    await this.opts.onSite?.released(siteId).catch((err: unknown) => this.opts.log.warn(`site ${siteId}: ${describeError(err)}`));
    await service.stop();
    this.running.delete(siteId);
    await this.lease(siteId, 'released').catch((err: Error) => this.opts.log.warn(`could not announce the release of ${siteId}: ${err.message}`));
    this.opts.log.info(`handed over site ${siteId}`);
  }

  private async lease(siteId: string, state: Lease['state']): Promise<void> {
    const lease: Lease = { worker: this.opts.name, state };
    this.leases.set(siteId, lease);
    if (this.presence?.connected) await this.presence.publishAsync(siteLeaseTopic(siteId), JSON.stringify(lease), { qos: 1, retain: true });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.reconciling;
    for (const [siteId, service] of [...this.running]) await this.release(siteId, service);
    const presence = this.presence;
    this.presence = undefined;
    if (presence?.connected) {
      await presence.publishAsync(workerPresenceTopic(this.opts.name), JSON.stringify({ state: 'offline', epoch: this.epoch }), { qos: 1, retain: true });
    }
    await presence?.endAsync();
  }

  health(): PartHealth {
    if (!this.presence?.connected) return { ok: false, detail: `worker ${this.opts.name} is not connected to the broker` };
    const sites = [...this.running.keys()];
    const failing = [...this.running.entries()].map(([id, s]) => [id, s.health()] as const).filter(([, h]) => !h.ok);
    if (failing.length) return { ok: false, detail: failing.map(([id, h]) => `${id}: ${h.detail}`).join('; ') };
    return { ok: true, worker: this.opts.name, sites, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }
}
