/**
 * What one MQTT message becomes (pipeline.ts), native or mapped from an off-the-shelf family
 * (external.ts): a reading, a status change, a pending device, an ignored message or a rejection.
 */
import type { Reading } from '@campus/contract';
import type { PendingDevice, StatusChange } from '@campus/store';

export type Outcome =
  | { type: 'reading'; reading: Reading }
  | { type: 'status'; status: StatusChange }
  | { type: 'pending'; pending: PendingDevice }
  | { type: 'ignored'; reason: string }
  | { type: 'rejected'; reason: string };
