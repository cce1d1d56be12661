/**
 * The default persistence (CAMPUS_MQTT_PERSISTENCE=disk): aedes' in-memory persistence, with a
 * copy on disk of everything a PUBACK has promised, in CAMPUS_DATA_DIR/broker.db (SQLite, WAL,
 * synchronous=FULL).
 *
 * With memory alone, a device's reading acknowledged by the broker and not yet taken by ingest is
 * lost when the process stops or is killed: on SIGTERM the broker acknowledged into ingest's queue
 * after ingest had gone (10 and 85 readings lost in two runs), on kill -9 6 to 78 per run. So the
 * queue of every persistent subscriber (ingest's session) goes to disk before the device is
 * acknowledged (queue-before-ack.ts waits for `outgoingEnqueueCombi`, and this wrapper resolves
 * only once its transaction is committed), and leaves it when the subscriber acknowledges. The
 * persistent sessions' subscriptions, the service subscribers' ids (so flow control bounds their
 * queues from the first message after a restart) and the retained messages are kept too, so a
 * restarted broker queues for ingest before ingest is back.
 *
 * Writes of one turn of the event loop share one transaction (one fsync), so the cost under load is
 * one fsync per batch, not per message. A crash between the commit and the subscriber's
 * acknowledgement replays the message once more; the stores keep one reading per device and time.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from 'aedes';
import { CampusError, type Log } from '@campus/runtime';

type Sub = { clientId: string };
type Subscription = { topic: string; qos: number; rh?: number; rap?: boolean; nl?: boolean };
type StoredPacket = {
  cmd?: string;
  topic: string;
  payload: Buffer | string;
  qos: number;
  retain?: boolean;
  brokerId?: string;
  brokerCounter?: number;
};
type ClientRef = Pick<Client, 'id'> & { clean?: boolean };

/** The aedes persistence methods wrapped here (aedes-persistence 11: promises when no callback is given). */
interface WrappedPersistence {
  outgoingEnqueue(sub: Sub, packet: StoredPacket, cb?: unknown): Promise<void> | undefined;
  outgoingEnqueueCombi(subs: Sub[], packet: StoredPacket, cb?: unknown): Promise<void> | undefined;
  outgoingClearMessageId(client: ClientRef, packet: unknown, cb?: unknown): Promise<StoredPacket | undefined> | undefined;
  outgoingUpdate(client: ClientRef, packet: StoredPacket & { messageId?: number }, cb?: unknown): Promise<void> | undefined;
  addSubscriptions(client: ClientRef, subs: Subscription[], cb?: unknown): Promise<void> | undefined;
  removeSubscriptions(client: ClientRef, topics: string[], cb?: unknown): Promise<void> | undefined;
  cleanSubscriptions(client: ClientRef, cb?: unknown): Promise<unknown> | undefined;
  storeRetained(packet: StoredPacket, cb?: unknown): Promise<void> | undefined;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS outgoing (
    seq            INTEGER PRIMARY KEY,
    client_id      TEXT NOT NULL,
    broker_id      TEXT NOT NULL,
    broker_counter INTEGER NOT NULL,
    topic          TEXT NOT NULL,
    payload        BLOB NOT NULL,
    qos            INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS outgoing_by_message ON outgoing (client_id, broker_id, broker_counter);
  CREATE TABLE IF NOT EXISTS subscriptions (
    client_id TEXT NOT NULL,
    topic     TEXT NOT NULL,
    options   TEXT NOT NULL,
    PRIMARY KEY (client_id, topic)
  );
  CREATE TABLE IF NOT EXISTS services (client_id TEXT PRIMARY KEY);
  CREATE TABLE IF NOT EXISTS retained (
    topic   TEXT PRIMARY KEY,
    payload BLOB NOT NULL,
    qos     INTEGER NOT NULL
  );
`;

type Op = () => void;

export class DiskPersistence {
  private readonly db: Database.Database;
  private ops: Op[] = [];
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private scheduled = false;
  private closed = false;
  private restoring = false;
  /** the rows of `outgoing`, for the metric */
  queuedOnDisk = 0;
  /** transactions committed */
  commits = 0;
  private readonly insertOutgoing;
  private readonly deleteOutgoing;
  private readonly putSubscription;
  private readonly deleteSubscription;
  private readonly putRetained;
  private readonly deleteRetained;

  constructor(
    readonly file: string,
    private readonly log: Log,
  ) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
    } catch (err) {
      throw new CampusError('CAMPUS_ERR_START', `[broker] cannot open its queue file ${file}: ${(err as Error).message}`, { cause: err });
    }
    this.insertOutgoing = this.db.prepare('INSERT INTO outgoing (client_id, broker_id, broker_counter, topic, payload, qos) VALUES (?, ?, ?, ?, ?, ?)');
    this.deleteOutgoing = this.db.prepare('DELETE FROM outgoing WHERE client_id = ? AND broker_id = ? AND broker_counter = ?');
    this.putSubscription = this.db.prepare('INSERT OR REPLACE INTO subscriptions (client_id, topic, options) VALUES (?, ?, ?)');
    this.deleteSubscription = this.db.prepare('DELETE FROM subscriptions WHERE client_id = ? AND topic = ?');
    this.putRetained = this.db.prepare('INSERT OR REPLACE INTO retained (topic, payload, qos) VALUES (?, ?, ?)');
    this.deleteRetained = this.db.prepare('DELETE FROM retained WHERE topic = ?');
    this.queuedOnDisk = this.countQueued();
  }

  private countQueued(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outgoing').get() as { n: number }).n;
  }

  /** The service subscribers (ingest) seen before, so that their queues are bounded as theirs from the start. */
  services(): string[] {
    return (this.db.prepare('SELECT client_id FROM services').all() as { client_id: string }[]).map((r) => r.client_id);
  }

  rememberService(clientId: string): void {
    void this.write(() => this.db.prepare('INSERT OR IGNORE INTO services (client_id) VALUES (?)').run(clientId));
  }

  /**
   * Wraps `persistence` (aedes' memory persistence, before any other wrapper) so that what it is
   * given to keep is also written here; `restore()` then puts what the file holds back into it.
   */
  wrap(persistence: object): void {
    const p = persistence as WrappedPersistence;
    const enqueueCombi = p.outgoingEnqueueCombi.bind(p);
    const enqueue = p.outgoingEnqueue.bind(p);
    const clear = p.outgoingClearMessageId.bind(p);
    const update = p.outgoingUpdate.bind(p);
    const addSubs = p.addSubscriptions.bind(p);
    const removeSubs = p.removeSubscriptions.bind(p);
    const cleanSubs = p.cleanSubscriptions.bind(p);
    const storeRetained = p.storeRetained.bind(p);
    const done = (promise: Promise<unknown>, cb: unknown, value?: unknown) => {
      if (typeof cb !== 'function') return promise;
      promise.then(
        () => process.nextTick(cb as (err: null, v?: unknown) => void, null, value),
        (err) => (cb as (err: Error) => void)(err),
      );
      return undefined;
    };

    // resolves once the message is both in memory and committed here
    const queued = (subs: Sub[], packet: StoredPacket, inMemory: Promise<void> | undefined, cb: unknown) =>
      done(Promise.all([this.queueFor(subs, packet), inMemory]).then(() => {}), cb, packet) as Promise<void> | undefined;
    p.outgoingEnqueueCombi = (subs, packet, cb) => queued(subs, packet, enqueueCombi(subs, packet), cb);
    p.outgoingEnqueue = (sub, packet, cb) => queued([sub], packet, enqueue(sub, packet), cb);
    /**
     * aedes' memory persistence clears the FIRST queued packet with the acknowledged messageId. A
     * packet sent on an earlier connection keeps its old id while it waits to be sent again, and
     * a packet first sent on this connection may be given the same id (ids start at random and
     * wrap at 65535): the PUBACK then cleared the old packet, which the subscriber may never have
     * read, and its resend failed with "no such packet", dropping the connection. So each id's
     * last assignment per client is kept, and a clear that took another packet puts that one back
     * in the queue (without its stale id) and clears again, until the packet that was sent goes.
     */
    const sentAs = new Map<string, Map<number, string>>();
    const identity = (x: { brokerId?: string; brokerCounter?: number } | undefined) => (x ? `${x.brokerId}:${x.brokerCounter}` : '');
    p.outgoingUpdate = (client, packet, cb) => {
      if (packet.messageId) {
        let ids = sentAs.get(client.id);
        if (!ids) sentAs.set(client.id, (ids = new Map()));
        ids.set(packet.messageId, identity(packet));
      }
      return update(client, packet, cb);
    };
    const clearExactly = async (client: ClientRef, packet: unknown): Promise<StoredPacket | undefined> => {
      const messageId = (packet as { messageId?: number }).messageId;
      const sent = messageId ? sentAs.get(client.id)?.get(messageId) : undefined;
      sentAs.get(client.id)?.delete(messageId ?? -1);
      for (let tries = 0; ; tries++) {
        const removed = await (clear(client, packet) ?? Promise.resolve(undefined));
        if (!removed || sent === undefined || identity(removed) === sent || tries > 1000) return removed;
        // another packet held this id from an earlier connection: back in the queue (memory only: its row stays on disk), without the id
        const { messageId: _stale, ...rest } = removed as StoredPacket & { messageId?: number };
        await (enqueue({ clientId: client.id }, rest) ?? Promise.resolve());
      }
    };
    p.outgoingClearMessageId = (client, packet, cb) => {
      const cleared = clearExactly(client, packet).then((removed) => {
        // the subscriber has it: no need to wait for this delete (a crash before it replays a duplicate, which the store ignores)
        if (removed?.brokerId !== undefined && removed.brokerCounter !== undefined) {
          const { brokerId, brokerCounter } = removed;
          void this.write(() => {
            if (this.deleteOutgoing.run(client.id, brokerId, brokerCounter).changes) this.queuedOnDisk--;
          });
        }
        return removed;
      });
      if (typeof cb !== 'function') return cleared;
      cleared.then(
        (removed) => (cb as (err: null, v?: unknown) => void)(null, removed),
        (err) => (cb as (err: Error) => void)(err),
      );
      return undefined;
    };
    p.addSubscriptions = (client, subs, cb) => {
      // aedes calls this for persistent sessions only (clean=false)
      const written = this.restoring
        ? Promise.resolve()
        : this.write(() => {
            for (const s of subs) this.putSubscription.run(client.id, s.topic, JSON.stringify(s));
          });
      return done(Promise.all([written, addSubs(client, subs) ?? Promise.resolve()]), cb) as Promise<void> | undefined;
    };
    p.removeSubscriptions = (client, topics, cb) => {
      const written = this.write(() => {
        for (const t of topics) this.deleteSubscription.run(client.id, t);
      });
      return done(Promise.all([written, removeSubs(client, topics) ?? Promise.resolve()]), cb) as Promise<void> | undefined;
    };
    p.cleanSubscriptions = (client, cb) => {
      // a clean session: by MQTT its subscriptions and what was queued for it are gone
      const written = this.write(() => {
        this.db.prepare('DELETE FROM subscriptions WHERE client_id = ?').run(client.id);
        this.queuedOnDisk -= this.db.prepare('DELETE FROM outgoing WHERE client_id = ?').run(client.id).changes;
      });
      return done(Promise.all([written, cleanSubs(client) ?? Promise.resolve()]), cb, client) as Promise<unknown> | undefined;
    };
    p.storeRetained = (packet, cb) => {
      const payload = toBuffer(packet.payload);
      const written = this.restoring
        ? Promise.resolve()
        : this.write(() => {
            if (payload.length === 0) this.deleteRetained.run(packet.topic);
            else this.putRetained.run(packet.topic, payload, packet.qos);
          });
      return done(Promise.all([written, storeRetained(packet) ?? Promise.resolve()]), cb) as Promise<void> | undefined;
    };
  }

  /**
   * Puts what the file holds back into the wrapped persistence: retained messages, the persistent
   * sessions' subscriptions, then every queued message in the order it was queued. `persistence`
   * is the outermost object aedes uses, so that the other wrappers (flow control) count the queue.
   */
  async restore(persistence: object): Promise<{ messages: number; sessions: number; retained: number }> {
    const p = persistence as WrappedPersistence;
    this.restoring = true;
    try {
      const retained = this.db.prepare('SELECT topic, payload, qos FROM retained').all() as { topic: string; payload: Buffer; qos: number }[];
      for (const r of retained) await p.storeRetained({ cmd: 'publish', topic: r.topic, payload: r.payload, qos: r.qos, retain: true });
      const subs = new Map<string, Subscription[]>();
      for (const row of this.db.prepare('SELECT client_id, options FROM subscriptions').iterate() as Iterable<{ client_id: string; options: string }>) {
        const list = subs.get(row.client_id) ?? [];
        list.push(JSON.parse(row.options) as Subscription);
        subs.set(row.client_id, list);
      }
      for (const [clientId, list] of subs) await p.addSubscriptions({ id: clientId, clean: false } as ClientRef, list);
      let messages = 0;
      const rows = this.db.prepare('SELECT client_id, broker_id, broker_counter, topic, payload, qos FROM outgoing ORDER BY seq').iterate() as Iterable<{
        client_id: string;
        broker_id: string;
        broker_counter: number;
        topic: string;
        payload: Buffer;
        qos: number;
      }>;
      for (const r of rows) {
        await p.outgoingEnqueueCombi([{ clientId: r.client_id }], {
          cmd: 'publish',
          topic: r.topic,
          payload: r.payload,
          qos: r.qos,
          retain: false,
          brokerId: r.broker_id,
          brokerCounter: r.broker_counter,
        });
        messages++;
      }
      return { messages, sessions: subs.size, retained: retained.length };
    } finally {
      this.restoring = false;
    }
  }

  /** Commits what is pending and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  /** The rows of one message for each persistent subscriber it is queued for. */
  private queueFor(subs: readonly Sub[], packet: StoredPacket): Promise<void> {
    if (this.restoring || subs.length === 0 || packet.qos === 0) return Promise.resolve();
    const { brokerId, brokerCounter } = packet;
    if (brokerId === undefined || brokerCounter === undefined) return Promise.resolve();
    const payload = toBuffer(packet.payload);
    const ids = subs.map((s) => s.clientId);
    return this.write(() => {
      for (const id of ids) this.insertOutgoing.run(id, brokerId, brokerCounter, packet.topic, payload, packet.qos);
      this.queuedOnDisk += ids.length;
    });
  }

  /** Runs `op` in the next transaction; resolves once that transaction is committed. */
  private write(op: Op): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the broker queue file is closed'));
    this.ops.push(op);
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return committed;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.ops.length === 0 || this.closed) return;
    const ops = this.ops;
    const waiters = this.waiters;
    this.ops = [];
    this.waiters = [];
    try {
      this.db.transaction(() => {
        for (const op of ops) op();
      })();
      this.commits++;
      for (const w of waiters) w.resolve();
    } catch (err) {
      // nothing of this batch is acknowledged: the devices send it again
      this.log.error(`[broker] could not write its queue file ${this.file}: ${(err as Error).message}`);
      this.queuedOnDisk = this.countQueued();
      for (const w of waiters) w.reject(err as Error);
    }
  }
}

export const diskPersistenceFile = (dataDir: string): string => join(dataDir, 'broker.db');

const toBuffer = (payload: Buffer | string | undefined): Buffer =>
  Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '');
