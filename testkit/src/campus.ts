/**
 * The demo campus with some devices reporting through off-the-shelf formats, written to a temp
 * file (adoption edits the file, so tests never touch the demo itself).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';

/** The mappings the off-the-shelf tests use. */
export const EXTERNAL_DEMO: Record<string, unknown> = {
  'em-g1c1': { format: 'tasmota', id: 'tasmota_G1C1' },
  'em-g1c2': { format: 'tasmota', id: 'tasmota_G1C23', channel: 1 },
  'em-g1c3': { format: 'tasmota', id: 'tasmota_G1C23', channel: 2 },
  'tr-sci': { format: 'shelly', id: 'shellypro3em-c8f09e8a1b2c', component: 'em:0' },
  'em-sci': { format: 'shelly', id: 'shellyplus1pm-a8032ab12345', component: 'switch:0' },
  'fr-sample': [
    { format: 'zigbee2mqtt', id: '留样柜温度' },
    { format: 'zigbee2mqtt', id: '留样柜门磁' },
  ],
  'wm-dorm-3': [
    { format: 'wmbus', id: '33225544' },
    { format: 'zigbee2mqtt', id: 'dorm3-leak' },
  ],
};

export function campusFileWith(dir: string, external: Record<string, unknown> = EXTERNAL_DEMO): { file: string; campus: Campus } {
  const doc = parseDocument(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  const devices = doc.get('devices', true);
  if (!isSeq(devices)) throw new Error('the demo campus has no devices list');
  for (const item of devices.items) {
    if (!isMap(item)) continue;
    const id = String(item.get('id'));
    if (external[id]) item.set('external', doc.createNode(external[id]));
  }
  const file = join(dir, 'campus.yaml');
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return { file, campus: loadCampus(file) };
}
