/**
 * The office resolves cleared sensor tickets in bulk (办结已恢复的): a box on each cleared one in the
 * list, one button for the chosen; one POST per ticket (the note says it was done in bulk).
 */
import type { Ticket } from '@campus/contract/browser';
import { byId, el, errorText } from '../common.ts';
import { t } from '../i18n.ts';
import { post } from './api.ts';

const chosen = new Set<number>();

/** resolved by the office from the list: a sensor's ticket whose condition went away by itself */
export const clearedSensorTicket = (x: Ticket) => x.source !== 'person' && x.clearedAt !== null && x.status !== 'resolved';

function refresh(list: readonly Ticket[]) {
  for (const id of chosen) if (!list.some((x) => x.id === id && clearedSensorTicket(x))) chosen.delete(id);
  const button = byId<HTMLButtonElement>('bulk-resolve');
  button.textContent = t('tickets.bulk', { n: chosen.size });
  button.disabled = chosen.size === 0;
}

/** The box of one list row (office only, cleared sensor tickets only). */
export function bulkBox(x: Ticket, list: readonly Ticket[]): HTMLInputElement {
  return el('input', {
    type: 'checkbox',
    class: 'bulk-pick',
    'aria-label': t('tickets.bulk-pick'),
    ...(chosen.has(x.id) ? { checked: '' } : {}),
    onclick: (e: MouseEvent) => {
      e.stopPropagation(); // choosing is not opening
      if ((e.target as HTMLInputElement).checked) chosen.add(x.id);
      else chosen.delete(x.id);
      refresh(list);
    },
  });
}

/** Shows the bar when the office has cleared tickets in the list; `done` reloads. */
export function renderBulk(office: boolean, list: readonly Ticket[], done: () => Promise<void>): void {
  const bar = byId('bulk');
  bar.hidden = !office || !list.some(clearedSensorTicket);
  refresh(list);
  byId('bulk-resolve').onclick = async () => {
    const ids = [...chosen];
    let resolved = 0;
    const status = byId('bulk-status');
    status.textContent = '';
    for (const id of ids) {
      try {
        await post(id, 'resolve', { note: t('tickets.bulk-note') });
        chosen.delete(id);
        resolved++;
      } catch (err) {
        status.replaceChildren(`#${id} `, errorText(err));
      }
    }
    if (resolved) status.prepend(t('tickets.bulk-done', { n: resolved }), ' ');
    await done();
  };
}
