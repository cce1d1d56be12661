/**
 * Who may publish and subscribe where. Pure functions of the identity and the topic; the defaults
 * refuse. A device owns campus/{site}/{device}/telemetry and .../status, and nothing else; an
 * off-the-shelf device owns its own format's topics, as its family's descriptor says (the
 * contract's formats/: tele/{topic}/... for Tasmota, {prefix}/... for Shelly, ...).
 */
import {
  deviceTopicPrefix,
  INGEST_OPS_ROOT,
  OPS_ROOT,
  opsTopic,
  externalKeepsRetain,
  externalLoginProblem,
  externalPublishFilters,
  externalSubscribeFilters,
  filterWithin,
  TOPIC_ROOT,
  topicMatches,
} from '@campus/contract';
import type { Identity } from './credentials.ts';

export type Decision = { ok: true } | { ok: false; reason: string };
const allow: Decision = { ok: true };
const deny = (reason: string): Decision => ({ ok: false, reason });

/**
 * The last line against an off-the-shelf login whose id reaches another family's or our own topics
 * (a Shelly "campus" may publish campus/#): one issued before the CLI and the campus file refused
 * such ids, or written into credentials.json by hand, publishes and subscribes nothing.
 */
function refusedLogin(who: Extract<Identity, { role: 'external' }>): Decision | undefined {
  const problem = externalLoginProblem(who.format, who.id);
  return problem ? deny(`${who.format} login ${problem}; issue it again under the device's own name`) : undefined;
}

export function canPublish(who: Identity | undefined, topic: string, retain: boolean): Decision {
  if (!who) return deny('not authenticated');
  if (topic.startsWith('$')) return deny(`${topic.split('/')[0]} topics are reserved`);
  if (who.role === 'device') {
    const own = deviceTopicPrefix(who.siteId, who.deviceId);
    if (topic === `${own}telemetry`) return retain ? deny('telemetry must not be retained') : allow;
    if (topic === `${own}status`) return allow;
    return deny(`device ${who.deviceId} may publish only under ${own}`);
  }
  if (who.role === 'external') {
    const refused = refusedLogin(who);
    if (refused) return refused;
    const allowed = externalPublishFilters(who.format, who.id);
    return allowed.some((f) => topicMatches(f, topic)) ? allow : deny(`${who.format} ${who.id} may publish only to ${allowed.join(', ')}`);
  }
  if (who.role === 'anonymous') return allow;
  // ingest workers announce themselves and the sites they read (ingest/src/worker.ts)
  if (who.name === 'ingest' && topic.startsWith(`${INGEST_OPS_ROOT}/`)) return allow;
  // split mode (contract/src/ops.ts): ingest owns each site's repairs desk and live feed, a dashboard sends it staff commands
  const ops = opsTopic(topic);
  if (who.name === 'ingest' && ops && ops.kind !== 'commands') return allow;
  if (who.name === 'dashboard')
    return ops?.kind === 'commands' ? allow : deny(`service dashboard publishes only staff commands (${OPS_ROOT}/repairs/{site}/commands)`);
  return deny(`service ${who.name} publishes only under ${INGEST_OPS_ROOT}/`);
}

/** Whether a retained publish keeps its flag: availability topics yes, readings never (a replay would look new). */
export function keepsRetain(who: Identity | undefined, topic: string): boolean {
  if (who?.role !== 'external') return true;
  return externalKeepsRetain(who.format, who.id, topic);
}

export function canSubscribe(who: Identity | undefined, filter: string): Decision {
  if (!who) return deny('not authenticated');
  if (who.role === 'device') return deny(`device ${who.deviceId} may not subscribe`);
  if (who.role === 'anonymous') {
    // $SYS would show anonymous clients every client id (device ids) the broker announces
    if (filter.startsWith('$')) return deny(`${filter.split('/')[0]} topics are reserved`);
    return who.denySubscribe.includes(filter) ? deny(`subscribing to ${filter} is refused`) : allow;
  }
  if (who.role === 'external') {
    const refused = refusedLogin(who);
    if (refused) return refused;
    const allowed = externalSubscribeFilters(who.format, who.id);
    return filterWithin(filter, allowed) ? allow : deny(`${who.format} ${who.id} may subscribe only to ${allowed.join(', ') || 'nothing'}`);
  }
  if (filter.startsWith('$') || filter === '#') return deny(`service ${who.name} may not subscribe to ${filter}`);
  if (who.name === 'dashboard') {
    // one site's ticket changes and live feed, and the replies to its own name: exact topics, no wildcard
    const ops = opsTopic(filter);
    return ops && ops.kind !== 'commands'
      ? allow
      : deny(`service dashboard may subscribe only to ${OPS_ROOT}/repairs/{site}/(tickets|events), ${OPS_ROOT}/live/{site}/(readings|statuses) and ${OPS_ROOT}/replies/{its own name}`);
  }
  // a service reading every site also reads the off-the-shelf formats' topics
  if (who.sites.includes('*') && !filter.startsWith(`${TOPIC_ROOT}/`)) return allow;
  const parts = filter.split('/');
  if (parts[0] !== TOPIC_ROOT) return deny(`service ${who.name} may subscribe only under ${TOPIC_ROOT}/`);
  const site = parts[1];
  if (site === undefined) return deny('incomplete filter');
  if (who.sites.includes('*')) return allow;
  if (site === '+' || site === '#') return deny(`service ${who.name} may read only sites ${who.sites.join(', ')}`);
  return who.sites.includes(site) ? allow : deny(`service ${who.name} may not read site ${site}`);
}

/** A will (last-will message) is an availability notice: only on the device's own status topic (or its format's availability topic). */
export function canWill(who: Identity | undefined, topic: string, retain: boolean): Decision {
  if (!who) return deny('not authenticated');
  if (who.role === 'device') {
    const status = `${deviceTopicPrefix(who.siteId, who.deviceId)}status`;
    return topic === status ? allow : deny(`device ${who.deviceId} may set a will only on ${status}`);
  }
  if (who.role === 'external') {
    const published = canPublish(who, topic, false);
    if (!published.ok) return published;
    return keepsRetain(who, topic) || !retain ? allow : deny(`${who.format} ${who.id} may retain a will only on its availability topic`);
  }
  if (who.role === 'anonymous') return canPublish(who, topic, retain);
  if (who.name === 'ingest' && topic.startsWith(`${INGEST_OPS_ROOT}/workers/`)) return allow;
  return deny(`service ${who.name} sets a will only on its worker status`);
}
