/**
 * Split mode: a dashboard's RemoteDesk and the desk the ingest process serves (serveDesk), over a
 * real broker: every op of the desk command (act, change, report, reporter) is carried out by the
 * owner and answered; the reporter's view is read from the file read-only; the old act command
 * (no op) still works; a bad command is refused with the field named.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repairsCommandsTopic, repliesTopic, type Ticket } from '@campus/contract';
import { createLog, loadOrCreateKey, MqttBus, openDb, SERVICE_USERS } from '@campus/runtime';
import { RemoteDesk, serveDesk, TicketError, TicketService, TicketStore, type DeskReply } from '@campus/repairs';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startTestBroker, tempDir, waitFor, type TestBroker } from '@campus/testkit';
import { report } from './desk-fixture.ts';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const dir = tempDir();
const log = createLog('test');
const file = join(dir.path, 'campus.db');
const ownerDb = openDb(file);
// as ingest keeps it: no staff directory of its own
const owner = new TicketService(new TicketStore(ownerDb), [campus], log);
let broker: TestBroker;
let ownerBus: MqttBus;
let dashboardBus: MqttBus;
let desk: RemoteDesk;
let stopServing: () => Promise<void>;
const heard: Ticket[] = [];

function bus(name: 'ingest' | 'dashboard'): MqttBus {
  return new MqttBus({ name: `${name}-bus`, url: broker.url, clientId: `test-${name}`, username: SERVICE_USERS[name], password: loadOrCreateKey(dir.path, name), log });
}

beforeAll(async () => {
  broker = await startTestBroker([campus], { dataDir: dir.path });
  ownerBus = bus('ingest');
  dashboardBus = bus('dashboard');
  await ownerBus.start();
  stopServing = await serveDesk(ownerBus, owner, [campus.site.id], log);
  await ownerBus.ready();
  await dashboardBus.start();
  desk = new RemoteDesk({ bus: dashboardBus, dbFile: file, campuses: [campus], replyTo: 'dashboard-test', log, timeoutMs: 20_000 });
  await desk.start();
  await dashboardBus.ready();
  desk.on('ticket', (t) => heard.push(t));
}, 60_000);
afterAll(async () => {
  desk?.stop();
  await stopServing?.();
  await dashboardBus?.stop();
  await ownerBus?.stop();
  await broker?.stop();
  ownerDb.close();
  dir.remove();
});

const refusal = async (p: Promise<unknown>) => p.then(() => 'ok', (err: unknown) => (err instanceof TicketError ? `${err.status} ${err.message}` : String(err)));

describe('the repairs desk over the broker', () => {
  it('a request, a second one joining it, the office assigning, a comment, the repair with materials and cost, the reporter confirming', async () => {
    const first = await desk.report(report({ reporterPhone: '13800000000' }));
    expect(first.joined).toBe(false);
    const second = await desk.report(report({ text: '又漏了' }));
    expect(second).toMatchObject({ ticketId: first.ticketId, joined: true });
    expect(await refusal(desk.report(report({ roomId: 'T-999' })))).toMatch(/^400 roomId/);
    expect(await refusal(desk.report(report({ siteId: 'elsewhere' })))).toMatch(/^400 siteId/);

    const id = first.ticketId;
    // the dashboard looked the worker up in its staff directory
    expect(await desk.change(id, { kind: 'assign', to: 'li' }, '王主任', { assigneeName: '李师傅' })).toMatchObject({ assignee: 'li', assigneeName: '李师傅' });
    await desk.change(id, { kind: 'comment', note: '需要更换阀芯' }, '李师傅', { username: 'li' });
    expect(await refusal(desk.change(id, { kind: 'comment', note: '' }, '李师傅'))).toMatch(/^400 .*note is required/);
    const done = await desk.act(id, 'resolve', '李师傅', '已更换阀芯', { materials: '阀芯 1 个', costYuan: 35 });
    expect(done).toMatchObject({ status: 'resolved', resolution: { note: '已更换阀芯', materials: '阀芯 1 个', costYuan: 35 } });
    expect(await refusal(desk.act(id, 'ack', '李师傅', undefined))).toMatch(/^409/);

    // read from the file, read-only
    const view = desk.track(second.trackingToken)!;
    expect(view.steps.map((s) => s.what)).toEqual(['已受理', '又有人报告了这个问题', '已派给 李师傅（水工）', '李师傅：需要更换阀芯', '已修好']);
    expect(JSON.stringify(view)).not.toContain('13800000000');
    const confirmed = await desk.reporterAct(first.trackingToken, { kind: 'confirm', rating: 4 });
    expect(confirmed).toMatchObject({ rating: 4, canConfirm: false });
    expect(await refusal(desk.reporterAct('token-unknown-abcdefghijkl', { kind: 'confirm' }))).toMatch(/^404/);
    // every change was heard from the owner
    await waitFor('the confirmation heard', () => heard.some((t) => t.id === id && t.rating === 4));
    expect(desk.get(id)!.audit.map((a) => a.action)).toEqual(['opened', 'reported', 'assigned', 'commented', 'resolve', 'confirmed']);
  });

  it('the act command of before (no op) is still carried out; a bad command is refused naming what is wrong', async () => {
    const [t] = owner.apply([
      { active: true, condition: 'water.burst', subjectId: 'wm-main', at: Date.now(), severity: 'major', trade: 'plumber', category: 'repair', title: '流量骤增', summary: 't' },
    ]);
    const replies: DeskReply[] = [];
    await dashboardBus.subscribe(repliesTopic('raw-test'), (body) => replies.push(body as DeskReply));
    await dashboardBus.ready();
    const send = (body: object) => dashboardBus.publish(repairsCommandsTopic(campus.site.id), { replyTo: 'raw-test', ...body });
    await send({ id: 'old', ticketId: t!.id, action: 'ack', actor: '李师傅' });
    await send({ id: 'bad-op', op: 'drop', ticketId: t!.id });
    await send({ id: 'bad-change', op: 'change', ticketId: t!.id, actor: 'x', change: 'assign' });
    await send({ id: 'bad-kind', op: 'change', ticketId: t!.id, actor: 'x', change: { kind: 'paint' } });
    await send({ id: 'other-site', op: 'report', report: report({ siteId: 'elsewhere' }) });
    await waitFor('five replies', () => replies.length === 5);
    const byId = Object.fromEntries(replies.map((r) => [r.id, r]));
    expect(byId.old).toMatchObject({ ok: true, ticket: { id: t!.id, status: 'acknowledged' } });
    expect(byId['bad-op']).toMatchObject({ ok: false, status: 400, message: 'op must be one of act, change, report, reporter' });
    expect(byId['bad-change']).toMatchObject({ ok: false, status: 400, message: 'change must be an object with a kind' });
    expect(byId['bad-kind']).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^kind must be one of/) });
    expect(byId['other-site']).toMatchObject({ ok: false, status: 404 });
  });
});
