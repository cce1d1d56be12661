/** The tickets page's words for the contract's values where they differ from the shared ones (办结 / 已办结, 自动监测). */
import type { ReportKind, TicketStatus, Trade } from '@campus/contract/browser';
import { statusLabel, tradeLabel, user } from '../common.ts';
import { locale, t } from '../i18n.ts';

/** a ticket's state; resolved is 已办结, as the button that resolves is 办结 */
export const stateLabel = (s: TicketStatus) => (s === 'resolved' ? t('tickets.state.resolved') : statusLabel(s));

/** who did it: a person's name as written; the detectors are 自动监测 */
export const actor = (name: string): Node => (name === 'system' ? document.createTextNode(t('tickets.auto')) : user(name));

export const kindLabel = (k: ReportKind) => t(`tickets.kind.${k}`);

/** a staff member's role: the office, or the trade they work */
export const roleLabel = (role: string) => (role === 'admin' ? t('role.admin') : tradeLabel(role as Trade));

export const when = (iso: string) => new Date(iso).toLocaleString(locale);
