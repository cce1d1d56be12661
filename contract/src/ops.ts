/**
 * The system's own topics for a dashboard that runs in a process of its own (split mode): ingest
 * owns the repairs desk (the tickets in campus.db), so the dashboard sends staff commands to it and
 * hears every ticket change and every stored reading from it over the broker, under
 * campus-ops/, which no device may publish or read (broker/src/acl.ts):
 *
 *   campus-ops/repairs/commands               dashboard -> ingest  {id, replyTo, ticketId, action, actor, note?}   QoS 1
 *   campus-ops/repairs/replies/{replyTo}      ingest -> dashboard  {id, ok: true, ticket} | {id, ok: false, status, message}
 *   campus-ops/repairs/tickets                ingest -> dashboard  a ticket as it is after any change                QoS 1
 *   campus-ops/repairs/events                 ingest -> dashboard  a ticket event (opened, escalated, resolved, ...) QoS 1
 *   campus-ops/live/readings                  ingest -> dashboard  Reading[] of a stored batch                      QoS 0
 *   campus-ops/live/statuses                  ingest -> dashboard  StatusChange[] of a stored batch                 QoS 0
 */
export const OPS_ROOT = 'campus-ops';
export const REPAIRS_OPS_ROOT = `${OPS_ROOT}/repairs`;
export const LIVE_OPS_ROOT = `${OPS_ROOT}/live`;
export const REPAIRS_COMMANDS_TOPIC = `${REPAIRS_OPS_ROOT}/commands`;
export const repairsReplyTopic = (replyTo: string): string => `${REPAIRS_OPS_ROOT}/replies/${replyTo}`;
export const REPAIRS_TICKETS_TOPIC = `${REPAIRS_OPS_ROOT}/tickets`;
export const REPAIRS_EVENTS_TOPIC = `${REPAIRS_OPS_ROOT}/events`;
export const LIVE_READINGS_TOPIC = `${LIVE_OPS_ROOT}/readings`;
export const LIVE_STATUSES_TOPIC = `${LIVE_OPS_ROOT}/statuses`;
