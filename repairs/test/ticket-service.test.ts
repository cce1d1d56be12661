import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Ticket, TicketEvent } from '@campus/contract';
import { openDb } from '@campus/runtime';
import { TicketService, TicketStore, type Finding } from '@campus/repairs';
import { createLog } from '@campus/runtime';
import { buildCampus, DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { tempDir } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());
let n = 0;
const T0 = Date.parse('2026-11-23T10:00:00+08:00');
const MIN = 60_000;

function service(campus = loadCampus(DEMO_CAMPUS_FILE)) {
  return new TicketService(new TicketStore(openDb(join(dir.path, `t${n++}.db`))), [campus], createLog('test'));
}

const raise = (over: Partial<Finding> = {}): Finding =>
  ({
    active: true,
    condition: 'water.burst',
    subjectId: 'wm-main',
    at: T0,
    severity: 'major',
    trade: 'plumber',
    category: 'repair',
    title: '流量骤增',
    summary: '5分钟平均流量 25 m³/h',
    evidence: [{ ts: T0, value: 25, unit: 'm³/h' }],
    ...(over as object),
  }) as Finding;
const clearAt = (at: number): Finding => ({ active: false, condition: 'water.burst', subjectId: 'wm-main', at, summary: '流量已回落' });

describe('tickets from findings', () => {
  let svc: TicketService;
  beforeEach(() => {
    svc = service();
  });

  it('keeps one open ticket per device and condition; repeats update it', () => {
    svc.apply([raise(), raise({ at: T0 + MIN, evidence: [{ ts: T0 + MIN, value: 26, unit: 'm³/h' }] })]);
    svc.apply([raise({ at: T0 + 2 * MIN })]);
    const open = svc.list({ status: 'open' });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ occurrences: 1, openedAt: new Date(T0).toISOString(), lastAt: new Date(T0 + 2 * MIN).toISOString() });
    expect(open[0]!.evidence.map((e) => e.value)).toEqual([25, 26]);
  });

  it('severity only rises, and the rise is in the audit trail', () => {
    svc.apply([raise(), raise({ severity: 'critical', at: T0 + MIN }), raise({ severity: 'minor', at: T0 + 2 * MIN })]);
    const t = svc.list({ status: 'open' })[0]!;
    expect(t.severity).toBe('critical');
    expect(svc.get(t.id)!.audit.map((a) => a.action)).toEqual(['opened', 'updated']);
  });

  it('records a cleared condition without resolving; a recurrence counts as another occurrence', () => {
    svc.apply([raise()]);
    svc.apply([clearAt(T0 + 10 * MIN)]);
    let t = svc.list({ status: 'open' })[0]!;
    expect(t).toMatchObject({ status: 'open', clearedAt: new Date(T0 + 10 * MIN).toISOString() });
    svc.apply([clearAt(T0 + 11 * MIN)]); // a second clear changes nothing
    svc.apply([raise({ at: T0 + 30 * MIN })]);
    t = svc.list({ status: 'open' })[0]!;
    expect(t).toMatchObject({ clearedAt: null, occurrences: 2 });
    expect(svc.get(t.id)!.audit.map((a) => a.action)).toEqual(['opened', 'cleared', 'recurred']);
  });

  it('a finding after a person resolved the ticket opens a new one', () => {
    const [t] = svc.apply([raise()]);
    svc.act(t!.id, 'resolve', '李师傅', '已关阀维修', { at: T0 + MIN });
    svc.apply([raise({ at: T0 + 5 * MIN })]);
    expect(svc.list({ status: 'open' })).toHaveLength(1);
    expect(svc.list({ status: 'open' })[0]!.id).not.toBe(t!.id);
    expect(() => svc.act(t!.id, 'reopen', '王主任', undefined)).toThrow(/already open/);
  });

  it('emits every change for the live screens', () => {
    const seen: Ticket[] = [];
    svc.on('ticket', (t) => seen.push(t));
    svc.apply([raise(), clearAt(T0 + MIN)]);
    svc.act(seen[0]!.id, 'ack', '李师傅', undefined);
    expect(seen.map((t) => [t.status, t.clearedAt !== null])).toEqual([
      ['open', false],
      ['open', true],
      ['acknowledged', true],
    ]);
  });
});

describe('ticket events for the notifications', () => {
  it('says opened, upgraded and resolved once each, with the ticket as it then is', () => {
    const svc = service();
    const events: TicketEvent[] = [];
    svc.on('event', (e) => events.push(e));
    // opened and raised in one batch: one "opened", already critical
    svc.apply([raise({ severity: 'minor' }), raise({ severity: 'critical', at: T0 + MIN })]);
    svc.apply([raise({ condition: 'fridge.excursion', subjectId: 'fr-sample', severity: 'major', trade: 'canteen', at: T0 + 2 * MIN })]);
    svc.apply([raise({ condition: 'fridge.excursion', subjectId: 'fr-sample', severity: 'critical', trade: 'canteen', at: T0 + 3 * MIN })]);
    svc.apply([raise({ at: T0 + 4 * MIN }), clearAt(T0 + 5 * MIN)]); // repeats and clears are no events
    const [burst, fridge] = svc.list().sort((a, b) => a.id - b.id);
    svc.act(burst!.id, 'ack', '李师傅', undefined, { at: T0 + 6 * MIN });
    svc.act(burst!.id, 'resolve', '李师傅', '已关阀维修', { at: T0 + 7 * MIN });
    expect(events.map((e) => [e.type, e.ticket.id, e.ticket.severity, e.at])).toEqual([
      ['opened', burst!.id, 'critical', T0],
      ['opened', fridge!.id, 'major', T0 + 2 * MIN],
      ['upgraded', fridge!.id, 'critical', T0 + 3 * MIN],
      ['resolved', burst!.id, 'critical', T0 + 7 * MIN],
    ]);
    expect(events.at(-1)!.ticket).toMatchObject({ status: 'resolved', resolvedBy: '李师傅' });
  });
});

describe('escalation of unacknowledged critical tickets', () => {
  it('escalates once, after escalateAfterMin, and says so to the notifier', () => {
    const doc = parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
    doc.notifications = { escalateAfterMin: 10 };
    const svc = service(buildCampus(doc));
    const events: TicketEvent[] = [];
    svc.on('event', (e) => events.push(e));
    svc.apply([raise({ severity: 'critical' }), raise({ condition: 'fridge.excursion', subjectId: 'fr-sample', severity: 'major', trade: 'canteen' })]);
    expect(svc.escalate(T0 + 9 * MIN)).toEqual([]);
    const escalated = svc.escalate(T0 + 10 * MIN);
    expect(escalated.map((t) => t.condition)).toEqual(['water.burst']);
    expect(svc.escalate(T0 + 20 * MIN)).toEqual([]); // once
    const said = events.filter((e) => e.type === 'escalated');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({
      at: T0 + 10 * MIN,
      unacknowledgedMinutes: 10,
      ticket: { condition: 'water.burst', severity: 'critical', status: 'open', deviceName: '校园总水表', escalatedAt: new Date(T0 + 10 * MIN).toISOString() },
    });
    expect(svc.get(escalated[0]!.id)!.audit.at(-1)).toMatchObject({ action: 'escalated', note: '紧急报修单 10 分钟无人确认，已升级通知' });
    // an acknowledged critical ticket is not escalated
    const other = svc.apply([raise({ subjectId: 'wm-canteen', severity: 'critical', at: T0 })])[0]!;
    svc.act(other.id, 'ack', '李师傅', undefined, { at: T0 + MIN });
    expect(svc.escalate(T0 + 30 * MIN)).toEqual([]);
  });
});
