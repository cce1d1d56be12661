export * from './schema.ts';
export * from './notifications.ts';
export * from './load.ts';
export * from './calendar.ts';
export * from './ledger-watch.ts';
export * from './ledger-edit.ts';

import { fileURLToPath } from 'node:url';
/** The demo campus 东南中学, the default CAMPUS_CONFIG. */
export const DEMO_CAMPUS_FILE = fileURLToPath(new URL('../demo/dongnan.yaml', import.meta.url));
export * from './campuses.ts';
