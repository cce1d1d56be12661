/**
 * The system's own topics for a dashboard that runs in a process of its own (split mode, and a
 * district's dashboards): the ingest process that reads a site owns that site's repairs desk (its
 * tickets in campus.db), so the dashboard sends staff commands to it and hears every ticket change
 * and every stored reading of the site from it over the broker, under campus-ops/, which no device
 * may publish or read (broker/src/acl.ts):
 *
 *   campus-ops/repairs/{site}/commands   dashboard -> ingest  {id, replyTo, op, ...}                         QoS 1
 *   campus-ops/replies/{replyTo}         ingest -> dashboard  {id, ok: true, ticket | receipt | view} | {id, ok: false, status, message}
 *   campus-ops/repairs/{site}/tickets    ingest -> dashboard  a ticket as it is after any change                QoS 1
 *   campus-ops/repairs/{site}/events     ingest -> dashboard  a ticket event (opened, escalated, resolved, ...) QoS 1
 *   campus-ops/live/{site}/readings      ingest -> dashboard  Reading[] of a stored batch                      QoS 0
 *   campus-ops/live/{site}/statuses      ingest -> dashboard  StatusChange[] of a stored batch                 QoS 0
 *
 * A command's op (repairs/src/desk.ts DeskCommand), each checked again by the process that owns the tickets:
 *   act       {ticketId, action, actor, note?, extras?: {materials, costYuan}}  a staff action; no op is act (the shape of before)
 *   change    {ticketId, change: TicketChange, actor, who?: {username, assigneeName}}  assign, take, comment, triage, merge, photo
 *   report    {report: PersonReport}       a person's request for the site                 -> receipt
 *   reporter  {token, action: ReporterAction}  a reporter confirms or reopens their ticket  -> view (PublicTicket)
 * The reporter's tracking view itself is read from campus.db (read-only), not asked for over the bus.
 *
 * Per site, so that an ingest worker of a district answers for the sites it reads, and a
 * dashboard hears only its own.
 */
export const OPS_ROOT = 'campus-ops';
export const REPAIRS_OPS_ROOT = `${OPS_ROOT}/repairs`;
export const LIVE_OPS_ROOT = `${OPS_ROOT}/live`;
export const REPLIES_OPS_ROOT = `${OPS_ROOT}/replies`;

export const repairsCommandsTopic = (siteId: string): string => `${REPAIRS_OPS_ROOT}/${siteId}/commands`;
export const repairsTicketsTopic = (siteId: string): string => `${REPAIRS_OPS_ROOT}/${siteId}/tickets`;
export const repairsEventsTopic = (siteId: string): string => `${REPAIRS_OPS_ROOT}/${siteId}/events`;
export const liveReadingsTopic = (siteId: string): string => `${LIVE_OPS_ROOT}/${siteId}/readings`;
export const liveStatusesTopic = (siteId: string): string => `${LIVE_OPS_ROOT}/${siteId}/statuses`;
export const repliesTopic = (replyTo: string): string => `${REPLIES_OPS_ROOT}/${replyTo}`;

const NAME = /^[\w.-]{1,64}$/;

/** What an ops topic is, or undefined when it is none (a wildcard, a level too many, an unknown kind). */
export function opsTopic(topic: string): { kind: 'commands' | 'tickets' | 'events' | 'readings' | 'statuses' | 'replies'; name: string } | undefined {
  const [root, area, name, kind, ...rest] = topic.split('/');
  if (root !== OPS_ROOT || rest.length || name === undefined || !NAME.test(name)) return undefined;
  if (area === 'replies') return kind === undefined ? { kind: 'replies', name } : undefined;
  if (area === 'repairs' && (kind === 'commands' || kind === 'tickets' || kind === 'events')) return { kind, name };
  if (area === 'live' && (kind === 'readings' || kind === 'statuses')) return { kind, name };
  return undefined;
}
