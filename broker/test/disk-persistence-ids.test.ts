/**
 * A PUBACK clears the packet that was sent with its id, not another one that kept the same id from
 * an earlier connection (aedes' memory persistence clears the first match). The sequence is the
 * one a reconnecting ingest meets: packet 1 sent with id 5 on a connection that dropped before its
 * PUBACK; on the next connection packet 3 is first sent and is given id 5 too; ingest acknowledges
 * 5. Without the fix the PUBACK took packet 1 (which ingest may never have read) off the queue and
 * out of broker.db, and the resend of packet 1 failed with "no such packet", dropping ingest.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openPersistence } from '@campus/broker';
import { createLog } from '@campus/runtime';
import { tempDir } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());

type P = {
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: object): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: object): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: { messageId: number }): Promise<{ brokerCounter: number } | undefined>;
  outgoingStream(client: { id: string }): AsyncIterable<{ brokerCounter: number }>;
};

describe('an acknowledged id that two queued packets hold', () => {
  it('clears the packet sent with it on this connection; the other stays queued, in memory and on disk, and is sent again', async () => {
    const file = join(dir.path, 'broker.db');
    const opened = await openPersistence({ kind: 'disk', dataDir: dir.path }, createLog('test'));
    const memory = opened.persistence as P;
    const client = { id: 'svc-ingest' };
    const packet = (n: number) => ({ cmd: 'publish', topic: 'campus/dongnan/em-1/telemetry', payload: Buffer.from(String(n)), qos: 1, brokerId: 'b1', brokerCounter: n });
    for (const n of [1, 2, 3]) await memory.outgoingEnqueueCombi([{ clientId: client.id }], packet(n));
    await memory.outgoingUpdate(client, { ...packet(1), messageId: 5 }); // connection 1, dropped before the PUBACK
    await memory.outgoingUpdate(client, { ...packet(3), messageId: 5 }); // connection 2: first sent, given 5 too
    const cleared = await memory.outgoingClearMessageId(client, { messageId: 5 });
    expect(cleared?.brokerCounter).toBe(3);
    // the resend of packet 1 on connection 2 finds it
    await expect(memory.outgoingUpdate(client, { ...packet(1), messageId: 5 })).resolves.toBeUndefined();
    const left: number[] = [];
    for await (const x of memory.outgoingStream(client)) left.push(x.brokerCounter);
    expect(left.sort()).toEqual([1, 2]);
    await opened.close();
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT broker_counter AS n FROM outgoing ORDER BY n').all() as { n: number }[]).map((r) => r.n)).toEqual([1, 2]);
    db.close();
  });
});
