/** The tickets page's words for the contract's values where they differ from the shared ones (办结 / 已办结, 自动监测). */
import type { ReportKind, Ticket, Trade } from '@campus/contract/browser';
import type { Device } from '../api-types.ts';
import { titleOf, tradeLabel, user } from '../common.ts';
import { locale, t } from '../i18n.ts';


/** who did it: a person's name as written; the detectors are 自动监测 */
export const actor = (name: string): Node => (name === 'system' ? document.createTextNode(t('tickets.auto')) : user(name));

export const kindLabel = (k: ReportKind) => t(`report-kind.${k}`);

/** a staff member's role: the office, or the trade they work */
export const roleLabel = (role: string) => (role === 'admin' ? t('role.admin') : tradeLabel(role as Trade));

export const when = (iso: string) => new Date(iso).toLocaleString(locale);

/**
 * What a ticket is about, in a line: a detector's title and its device; a person's request by the
 * kind they picked and their own words (the place is on the line below).
 */
export function headline(x: Ticket, device: Device | undefined, long = false): (Node | string)[] {
  const [what, about] = headlineParts(x, device, long);
  return [what, ' · ', user(about)];
}

/** the same as text (a menu's option) */
export const headlineText = (x: Ticket) => headlineParts(x, undefined, false).join(' · ');

function headlineParts(x: Ticket, device: Device | undefined, long: boolean): [string, string] {
  if (x.source !== 'person' || !x.reportKind) return [titleOf(x, device), x.deviceName];
  const words = x.summary.length <= 40 ? x.summary : `${x.summary.slice(0, 39)}…`;
  return [kindLabel(x.reportKind), long ? x.deviceName : words];
}
