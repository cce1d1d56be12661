/**
 * A bound on QoS 2 messages a client has sent and not yet released (PUBLISH received, PUBREL not),
 * per client id and across its connections. aedes bounds them per connection
 * (`maxInflightInbound`), but keeps them in the session's persistence by client id: a device that
 * reconnects with a persistent session and sends fresh message ids each time would grow that store
 * toward 65,536 packets of up to 64 KiB each. Past the bound the store refuses, and aedes closes the
 * connection (MQTT 3.1.1 has no other way to refuse one packet).
 */
type IncomingClient = { id: string };
type IncomingPacket = { messageId?: number };
interface IncomingPersistence {
  incomingStorePacket(client: IncomingClient, packet: IncomingPacket, cb?: unknown): Promise<void> | undefined;
  incomingDelPacket(client: IncomingClient, packet: IncomingPacket, cb?: unknown): Promise<void> | undefined;
  cleanIncoming?(client: IncomingClient): Promise<void> | undefined;
}

export class Qos2Bound {
  private readonly held = new Map<string, Set<number>>();
  /** QoS 2 messages refused at the bound */
  refused = 0;

  constructor(readonly max: number) {}

  wrap(persistence: object): void {
    const p = persistence as IncomingPersistence;
    const store = p.incomingStorePacket.bind(p);
    const del = p.incomingDelPacket.bind(p);
    const clean = p.cleanIncoming?.bind(p);
    p.incomingStorePacket = (client, packet, cb) => {
      const ids = this.held.get(client.id) ?? new Set<number>();
      const id = packet.messageId ?? -1;
      if (!ids.has(id) && ids.size >= this.max) {
        this.refused++;
        const err = new Error(`${this.max} QoS 2 messages of ${client.id} already await their PUBREL`);
        if (typeof cb === 'function') return void process.nextTick(cb as (e: Error) => void, err);
        return Promise.reject(err);
      }
      ids.add(id);
      this.held.set(client.id, ids);
      return store(client, packet, cb);
    };
    p.incomingDelPacket = (client, packet, cb) => {
      const ids = this.held.get(client.id);
      ids?.delete(packet.messageId ?? -1);
      if (ids?.size === 0) this.held.delete(client.id);
      return del(client, packet, cb);
    };
    if (clean)
      p.cleanIncoming = (client) => {
        this.held.delete(client.id);
        return clean(client);
      };
  }
}
