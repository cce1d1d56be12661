/**
 * A device's QoS 1 PUBACK only once the message is queued for its subscribers.
 *
 * aedes 1.x writes the PUBACK first and queues afterwards (lib/handlers/publish.js: `write(PubAck)`,
 * then `broker.publish` -> storeRetained, enqueueOffline, emitPacket). A broker killed in between
 * has acknowledged a reading that is nowhere: the device forgets it, ingest never sees it. With
 * Redis persistence that window is a network round trip per message, and a broker node killed
 * under load loses the last ones of every device.
 *
 * So the queueing moves into authorizePublish, which aedes awaits before the PUBACK: the message
 * gets its broker id and counter there (aedes-packet keeps them when aedes wraps the same packet
 * again), is queued for every persistent subscriber, and aedes' own enqueue of that packet later
 * is skipped. A device's own publishes are acknowledged in order on its one connection, so the
 * broker id is per device (see queue()). Online delivery (the emitter) is unchanged and finds the queued copy by the same
 * broker id and counter when the subscriber acknowledges it.
 */
import { createRequire } from 'node:module';
import type { Aedes, PublishPacket } from 'aedes';

type Sub = { clientId: string };
interface QueueingPersistence {
  subscriptionsByTopic(topic: string): Promise<Sub[]>;
  outgoingEnqueueCombi(subs: Sub[], packet: unknown, cb?: unknown): Promise<void> | undefined;
}

const require = createRequire(import.meta.url);
const Packet = require('aedes-packet') as new (original: object, broker: object) => { brokerId: string; brokerCounter: number };

export class QueueBeforeAck {
  /** `brokerId:brokerCounter` of messages already queued by `queue()` */
  private readonly queued = new Set<string>();
  private persistence?: QueueingPersistence;
  private enqueue?: QueueingPersistence['outgoingEnqueueCombi'];

  /** Takes over the persistence's enqueue (after any other wrapper, so it counts each message once). */
  wrap(persistence: object): void {
    const p = persistence as QueueingPersistence;
    const inner = p.outgoingEnqueueCombi.bind(p);
    this.persistence = p;
    this.enqueue = inner;
    p.outgoingEnqueueCombi = (subs, packet, cb) => {
      const { brokerId, brokerCounter } = packet as { brokerId?: string; brokerCounter?: number };
      if (this.queued.delete(`${brokerId}:${brokerCounter}`)) {
        if (typeof cb === 'function') process.nextTick(cb as () => void, null);
        return Promise.resolve();
      }
      return inner(subs, packet, cb);
    };
  }

  /** Queues a device's QoS 1 message for the persistent subscribers; resolve before acknowledging it. */
  async queue(aedes: Aedes, clientId: string, packet: PublishPacket): Promise<void> {
    const persistence = this.persistence!;
    // aedes drops a message whose counter is not above the last one a subscriber got from the same
    // broker id (client.js dedupe): the order messages finish queueing in is the order they are
    // delivered in, and it is only kept per device, so each device's messages carry their own broker id
    const stamped = packet as PublishPacket & { brokerId?: string; brokerCounter?: number };
    stamped.brokerId = `${aedes.id}/${clientId}`;
    stamped.brokerCounter = ++(aedes as unknown as { counter: number }).counter;
    const p = new Packet(packet, aedes);
    // no $SYS topic gets here (the ACL refuses $-topics from clients), so no filter for them as aedes' enqueueOffline has
    const subs = await persistence.subscriptionsByTopic(packet.topic);
    await this.enqueue!(subs, p);
    this.queued.add(`${p.brokerId}:${p.brokerCounter}`);
  }
}
