/**
 * A toy family for new-family.test.ts, written as a real one is (contract/src/formats/*.ts): meters
 * that publish acme/{id}/up {"kwh":..,"w":..} and a retained acme/{id}/lwt up | down.
 */
import { defineExternalFormat } from '../../src/formats/descriptor.ts';
import { defined, FieldReader } from '../../src/formats/reader.ts';
import { parseJsonObject } from '../../src/json.ts';

export const acme = defineExternalFormat({
  name: 'acme',
  product: 'Acme',
  label: { 'zh-CN': 'Acme 电表', en: 'Acme meter' },
  roots: { acme: 'Acme (acme/...)' },
  matches: (topic) => topic.startsWith('acme/'),
  login: (source) => ({ username: source.id, id: source.id }),
  sourceProblem: (source, rules) => {
    const problem = rules.loginProblem(source.id);
    return problem ? { field: 'id', message: problem } : undefined;
  },
  publishFilters: (id) => [`acme/${id}/#`],
  subscribeFilters: (id) => [`acme/${id}/cmd`],
  keepsRetain: (topic, id) => topic === `acme/${id}/lwt`,
  ingestFilters: () => ['acme/+/up', 'acme/+/lwt'],
  sourceTopics: (source) => [`acme/${source.id}/up`, `acme/${source.id}/lwt`],
  availability: (id) => ({ topic: `acme/${id}/lwt`, online: 'up', offline: 'down' }),
  decode(topic, payload, ctx) {
    const [, id, leaf] = topic.split('/');
    if (!id) return { type: 'rejected', reason: 'acme/{id}/up' };
    if (leaf === 'lwt') return { type: 'external', format: 'acme', id, parts: [], status: payload.toString() === 'up' ? 'online' : 'offline' };
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const f = new FieldReader('Acme');
    const fields = defined({ totalKWh: f.num(body.value.kwh, 'kwh'), powerKW: f.kilo(body.value.w, 'w') });
    return f.rejection() ?? { type: 'external', format: 'acme', id, parts: [{ fields }] };
  },
  encode: ({ source, values }) => [{ topic: `acme/${source.id}/up`, payload: JSON.stringify({ kwh: values.totalKWh, w: Number(values.powerKW) * 1000 }) }],
});
