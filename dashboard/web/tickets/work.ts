/**
 * What a worker does with a ticket of their trade: take it (接单), acknowledge, start, comment,
 * add a photo from the phone's camera, resolve (办结) with a note and optionally materials and
 * cost in 元, reopen. Every step goes to the server, which writes it in the audit trail.
 */
import { TICKET_TRANSITIONS, type Ticket, type TicketAction, type TicketStatus } from '@campus/contract/browser';
import { byId, el, errorText } from '../common.ts';
import { t } from '../i18n.ts';
import { post } from './api.ts';
import { uploadPhoto } from './photo.ts';
import type { Who } from './who.ts';

/** the actions a ticket in this state offers, in the contract's order */
const allowed = (status: TicketStatus) => (Object.keys(TICKET_TRANSITIONS) as TicketAction[]).filter((a) => TICKET_TRANSITIONS[a].from.includes(status));

const form = () => byId<HTMLFormElement>('d-actions');
const field = <T extends HTMLInputElement | HTMLTextAreaElement>(name: string) => form().elements.namedItem(name) as T;
const fail = (err: unknown) => byId('d-error').replaceChildren(err instanceof Node ? err : errorText(err));

/** the cost field: empty is none; else an amount of 0 or more (元), or undefined when it is no amount */
function costOf(text: string): number | null | undefined {
  if (!text.trim()) return null;
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 ? Math.round(v * 100) / 100 : undefined;
}

async function send(id: number, what: string, body: Record<string, unknown>, done: () => Promise<void>) {
  try {
    await post(id, what, body);
    form().reset();
    await done();
  } catch (err) {
    fail(err);
  }
}

function act(x: Ticket, action: TicketAction, done: () => Promise<void>) {
  const note = field<HTMLTextAreaElement>('note').value.trim();
  if (action !== 'resolve') return send(x.id, action, { note: note || undefined }, done);
  if (!note) return fail(document.createTextNode(t('tickets.note-required')));
  const costYuan = costOf(field<HTMLInputElement>('costYuan').value);
  if (costYuan === undefined) return fail(document.createTextNode(t('tickets.cost-invalid')));
  const materials = field<HTMLInputElement>('materials').value.trim() || null;
  return send(x.id, 'resolve', { note, materials, costYuan }, done);
}

function comment(x: Ticket, done: () => Promise<void>) {
  const note = field<HTMLTextAreaElement>('note').value.trim();
  if (!note) return fail(document.createTextNode(t('tickets.comment-required')));
  return send(x.id, 'comment', { note }, done);
}

export function renderWork(x: Ticket, who: Who, done: () => Promise<void>): void {
  const mine = who.mayAct(x);
  const open = x.status !== 'resolved';
  const button = (action: string, text: string, onclick: () => unknown, primary = false) =>
    el('button', { type: 'button', class: primary ? 'primary' : '', dataset: { action }, text, onclick });
  const buttons: HTMLButtonElement[] = [];
  if (mine && open && who.me && x.assignee !== who.me && !who.office) buttons.push(button('take', t('tickets.do-take'), () => send(x.id, 'take', {}, done), true));
  if (mine) for (const a of allowed(x.status)) buttons.push(button(a, t(`action.${a}`), () => act(x, a, done), a === 'resolve'));
  if (mine && open) buttons.push(button('comment', t('tickets.do-comment'), () => comment(x, done)));
  form().querySelector('.buttons')!.replaceChildren(...buttons);
  form().hidden = !buttons.length;
  // materials and cost only where it can be resolved
  (form().querySelector('.resolve-extras') as HTMLElement).hidden = !(mine && allowed(x.status).includes('resolve'));
  const photo = form().querySelector<HTMLElement>('.photo-button')!;
  photo.hidden = !(mine && open);
  field<HTMLInputElement>('photo').onchange = async () => {
    const file = field<HTMLInputElement>('photo').files?.[0];
    if (!file) return;
    try {
      const { id, bytes } = await uploadPhoto(file);
      await send(x.id, 'photo', { photoId: id, bytes }, done);
    } catch (err) {
      fail(err);
    }
  };
  byId('d-error').textContent = '';
}
