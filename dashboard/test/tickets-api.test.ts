/**
 * The staff ticket API of the repair desk over real HTTP: the office assigns, triages and merges; a
 * worker takes, comments, adds a photo and resolves with materials and cost on tickets of their
 * trade or assigned to them; the list filters by source, assignee and unassigned; each refusal is
 * the right status with the field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Fixture, type Session } from './security-fixture.ts';
import { makeJpeg } from './public-images.ts';

let f: Fixture;
let office: Session;
let li: Session;
let zhang: Session;
beforeAll(async () => {
  f = await startDashboard();
  office = await f.staff('wang', 'admin');
  li = await f.staff('li', 'plumber');
  zhang = await f.staff('zhang', 'carpenter');
});
afterAll(() => f.stop());

const post = (s: Session, path: string, body: object = {}) => f.call({ method: 'POST', path, body, headers: { ...f.as(s), origin: f.origin } });
const get = (s: Session, path: string) => f.call({ path, headers: f.as(s) });
let room = 0;
/** a person's request in a room of its own */
const request = (kind: 'water' | 'doors_windows' = 'water') => f.tickets.report({ siteId: 'dongnan', roomId: `T-20${++room}`, kind, text: '报修' }).ticketId;

describe('dispatch by the office', () => {
  it('assigns a worker by username (the name from the accounts), reassigns, unassigns; only the office', async () => {
    const id = request();
    expect((await post(li, `/api/tickets/${id}/assign`, { to: 'li' })).status).toBe(403);
    const r = await post(office, `/api/tickets/${id}/assign`, { to: 'li' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id, assignee: 'li', assigneeName: 'li' });
    expect(f.tickets.get(id)!.audit.at(-1)).toMatchObject({ action: 'assigned', actor: 'wang' });
    const unknown = await post(office, `/api/tickets/${id}/assign`, { to: 'nobody' });
    expect(unknown).toMatchObject({ status: 400, json: { message: 'to: no staff account "nobody"' } });
    expect((await post(office, `/api/tickets/${id}/assign`, { to: 3 })).json.message).toMatch(/^to must be a staff username/);
    expect((await post(office, `/api/tickets/${id}/assign`, { to: null })).json).toMatchObject({ assignee: null });
  });

  it('triages trade, priority and due time, and merges a duplicate; values are checked', async () => {
    const id = request();
    const t = await post(office, `/api/tickets/${id}/triage`, { severity: 'critical', trade: 'electrician' });
    expect(t.json).toMatchObject({ severity: 'critical', trade: 'electrician' });
    expect(Date.parse(t.json.dueAt) - Date.parse(t.json.openedAt)).toBe(30 * 60_000);
    expect((await post(office, `/api/tickets/${id}/triage`, { severity: 'huge' })).json.message).toMatch(/^severity must be one of/);
    expect((await post(office, `/api/tickets/${id}/triage`, { dueAt: 5 })).json.message).toMatch(/^dueAt must be a time/);
    expect((await post(li, `/api/tickets/${id}/triage`, { severity: 'minor' })).status).toBe(403);
    const other = request();
    expect((await post(office, `/api/tickets/${other}/merge`, { into: 'x' })).json.message).toMatch(/^into must be a ticket id/);
    const merged = await post(office, `/api/tickets/${other}/merge`, { into: id });
    expect(merged.json).toMatchObject({ status: 'resolved', mergedInto: id });
    expect((await post(office, `/api/tickets/${other}/merge`, { into: id })).status).toBe(409);
    expect((await post(office, `/api/tickets/${id}/merge`, { into: 999_999 })).status).toBe(404);
  });
});

describe('a worker on a phone', () => {
  it('takes a ticket of their trade, comments, adds a photo, resolves with materials and cost', async () => {
    const id = request();
    expect((await post(zhang, `/api/tickets/${id}/take`)).status).toBe(403); // not his trade
    expect((await post(li, `/api/tickets/${id}/take`)).json).toMatchObject({ assignee: 'li', assigneeName: 'li' });
    expect((await post(li, `/api/tickets/${id}/comment`, { note: '需要更换阀芯' })).status).toBe(200);
    expect((await post(li, `/api/tickets/${id}/comment`, { note: 5 })).json.message).toBe('note must be text');
    const photo = await f.call({ method: 'POST', path: '/api/public/photos', headers: { 'content-type': 'image/jpeg', ...f.as(li), origin: f.origin }, body: makeJpeg(60, 40) });
    expect(photo.status).toBe(201);
    const withPhoto = await post(li, `/api/tickets/${id}/photo`, { photoId: photo.json.id });
    expect(withPhoto.json.photos).toEqual([{ id: photo.json.id, at: expect.any(String), by: 'li', bytes: photo.json.bytes }]);
    expect((await post(li, `/api/tickets/${id}/photo`, { photoId: 'A'.repeat(22) })).json.message).toMatch(/^photoId: no photo/);
    expect((await post(li, `/api/tickets/${id}/resolve`, { note: '换好了', costYuan: '35' })).json.message).toBe('costYuan must be a number (元)');
    expect((await post(li, `/api/tickets/${id}/resolve`, { note: '换好了', costYuan: -3 })).status).toBe(400);
    const done = await post(li, `/api/tickets/${id}/resolve`, { note: '换好了', materials: '阀芯 1 个', costYuan: 35.5 });
    expect(done.json).toMatchObject({ status: 'resolved', resolvedBy: 'li', resolution: { note: '换好了', materials: '阀芯 1 个', costYuan: 35.5 } });
    expect(f.tickets.get(id)!.audit.map((a) => a.action)).toEqual(['opened', 'taken', 'commented', 'photo', 'resolve']);
  });

  it('acts on a ticket of another trade once it is assigned to them', async () => {
    const id = request('doors_windows');
    expect((await post(li, `/api/tickets/${id}/ack`)).status).toBe(403);
    await post(office, `/api/tickets/${id}/assign`, { to: 'li' });
    expect((await post(li, `/api/tickets/${id}/ack`)).json).toMatchObject({ status: 'acknowledged' });
    expect((await post(li, `/api/tickets/${id}/take`)).status).toBe(200); // his already
    expect((await post(zhang, `/api/tickets/${id}/take`)).status).toBe(409); // assigned to li
  });

  it('refuses what is not an action, a ticket that is not there, a display token', async () => {
    expect((await post(li, '/api/tickets/1/paint')).status).toBe(404);
    expect((await post(li, '/api/tickets/987654/comment', { note: 'x' })).status).toBe(404);
    const { token } = f.auth.displays.add('大屏');
    const r = await f.call({ method: 'POST', path: `/api/tickets/${request()}/comment`, body: { note: 'x' }, headers: { authorization: `Display ${token}` } });
    expect(r.status).toBe(403);
  });
});

describe('the list', () => {
  it('filters by source, assignee and unassigned', async () => {
    const sensor = f.openTicket('plumber', 'wm-main');
    const mine = request();
    await post(office, `/api/tickets/${mine}/assign`, { to: 'li' });
    const ids = async (q: string) => ((await get(li, `/api/tickets?${q}`)).json.tickets as { id: number }[]).map((t) => t.id);
    expect(await ids('source=sensor')).toEqual([sensor]);
    expect(await ids('assignee=li&status=open')).toContain(mine);
    expect(await ids('unassigned=1&source=person&status=open')).not.toContain(mine);
    expect((await ids('unassigned=1')).length).toBeGreaterThan(0);
    expect((await get(li, '/api/tickets?source=robot')).status).toBe(400);
    expect((await get(li, '/api/tickets?unassigned=maybe')).status).toBe(400);
  });
});
