/** Staff roles, and the trades whose tickets each may handle; the office admin handles all of them. */
import { TRADES, type Trade } from '@campus/contract';

export const ROLES = ['admin', 'electrician', 'plumber', 'carpenter', 'it', 'canteen'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_TRADES: Readonly<Record<Role, readonly Trade[]>> = {
  admin: TRADES,
  electrician: ['electrician'],
  plumber: ['plumber'],
  carpenter: ['carpenter'],
  it: ['it'],
  canteen: ['canteen'],
};
export const ROLE_LABELS_ZH: Readonly<Record<Role, string>> = {
  admin: '总务处管理员',
  electrician: '电工',
  plumber: '水工',
  carpenter: '木工',
  it: '电教',
  canteen: '食堂管理员',
};
