/** What the dashboard's API answers, as far as the pages read it. */
import type { DeviceKind, FridgeClass, Language, LedgerStatus, Trade } from '@campus/contract/browser';

export interface Viewer {
  kind: 'staff' | 'display' | 'service';
  name: string;
  role?: 'admin' | 'electrician' | 'plumber' | 'carpenter' | 'it' | 'canteen';
  trades?: Trade[];
  /** a staff member's login name (assignments name it) */
  username?: string;
  /** a screen's token: the pages it opens, and its settings (the wall's chime) */
  scopes?: string[];
  settings?: { chime?: boolean };
}

export interface Session {
  viewer: Viewer | null;
  csrfToken?: string;
}

export interface Place {
  buildingName: string;
  floor: number | null;
  roomName: string | null;
}

/** The latest values of a device, by field (TelemetryValues of its kind). */
export interface LastValues {
  totalM3?: number;
  flowM3h?: number;
  totalKWh?: number;
  powerKW?: number;
  currentA?: number[];
  tempC?: number;
  doorOpen?: boolean;
  defrost?: boolean;
  [field: string]: unknown;
}

export interface Device {
  id: string;
  siteId: string;
  kind: DeviceKind;
  name: string;
  location: Place & { building: string; room: string | null };
  class: { id: string; name: string; students: number } | null;
  ratings: { ratedCurrentA?: number; limitsC?: { min?: number; max: number }; usage?: string; fridgeClass?: FridgeClass };
  status: LedgerStatus;
  lastSeen: string | null;
  last: LastValues | null;
}

export interface PendingDevice {
  siteId: string;
  format: string;
  /** the format's name per page language (its descriptor's label) */
  formatLabel?: Readonly<Record<Language, string>>;
  id: string;
  channel?: number;
  component?: string;
  bridge?: string;
  topic: string;
  fields: Record<string, unknown>;
  firstSeen: string;
  seenAt: string;
  messages: number;
}

export interface CampusSite {
  name: string;
  timezone: string;
  buildings: { id: string; name: string }[];
  classes?: { id: string; name: string }[];
  terms?: { name: string }[];
}

export interface SeriesAnswer {
  field: string;
  unit: string;
  label: string;
  points: { t: number; avg: number }[];
}

/** One live reading on the socket: device, time, values. */
export interface LiveReading {
  d: string;
  ts: number;
  v: LastValues;
}
