/**
 * Shared by every page: who is looking (staff session or display token), API calls, the live
 * socket with its connection indicator and resync, DOM building that only ever sets text, and the
 * words for places, durations and the contract's values in the page's language.
 */
import { ticketTitle, worstPhaseLoad as loadOf, type DeviceKind, type Severity, type Ticket, type TicketStatus, type Trade } from '@campus/contract/browser';
import type { Device, LastValues, Place, Session, Viewer } from './api-types.ts';
import { language, t } from './i18n.ts';
import { minutesText } from './i18n/text.ts';

const params = new URLSearchParams(location.search);
// a screen opened with ?token=... keeps it for reloads (and drops it from the visible address)
const fromUrl = params.get('token');
if (fromUrl) {
  sessionStorage.setItem('campus.display', fromUrl);
  params.delete('token');
  history.replaceState(null, '', location.pathname + (params.toString() ? `?${params}` : ''));
}
const display = sessionStorage.getItem('campus.display');
let csrf: string | null = null;

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** An API refusal: the server's code (e.g. 'unauthorized') and its own message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Off to the login page; what was waiting never resolves, as the page is going away. */
function toLogin(): Promise<never> {
  location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  return new Promise(() => {});
}

export async function api<T = unknown>(path: string, { method = 'GET', body }: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (display) headers.authorization = `Display ${display}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as { message?: string; error?: string };
  if (res.status === 401 && !display && location.pathname !== '/login') return toLogin();
  if (!res.ok) throw new ApiError(data.message || t('error.http', { status: res.status }), res.status, data.error);
  return data as T;
}

/**
 * What to show for a failed call: our own words where the server's code has them, else the
 * server's message, marked as its text (data-server: not the page's to translate).
 */
export function errorText(err: unknown): Node {
  if (err instanceof ApiError && err.code === 'unauthorized') return document.createTextNode(t('error.unauthorized'));
  return el('span', { dataset: { server: '' }, text: err instanceof Error ? err.message : String(err) });
}

/** Who is looking; sends an anonymous visitor to the login page. */
export async function session(): Promise<Viewer> {
  const s = await api<Session>('/api/session');
  if (!s.viewer) return toLogin();
  csrf = s.csrfToken || null;
  const who = document.getElementById('who');
  const v = s.viewer;
  if (who)
    who.replaceChildren(
      ...(v.kind === 'service' ? [] : [user(v.name)]),
      v.kind === 'staff' && v.role ? t('who.role', { role: t(`role.${v.role}`) }) : '',
    );
  // staff change their password there (and the office manages the accounts)
  if (who && v.kind === 'staff' && location.pathname !== '/account' && !document.getElementById('account-link'))
    who.after(el('a', { id: 'account-link', href: '/account', class: 'who-account', text: t('nav.account') }));
  return v;
}

type Handlers = { resync?: () => Promise<unknown> } & Record<string, ((...args: never[]) => unknown) | undefined>;

/** The live socket; `handlers.resync` runs after every reconnection (network drop, server restart). */
export function live(handlers: Handlers) {
  const conn = document.getElementById('connection');
  const socket = io({ transports: ['websocket', 'polling'], auth: display ? { display } : {} });
  let connectedBefore = false;
  const show = (up: boolean) => {
    if (!conn) return;
    conn.className = `conn ${up ? 'conn-up' : 'conn-down'}`;
    conn.textContent = t(up ? 'conn.up' : 'conn.down');
    document.body.dataset.connected = up ? 'true' : 'false';
  };
  socket.on('connect', () => {
    show(true);
    if (connectedBefore && handlers.resync) handlers.resync().catch((e: unknown) => console.error(e));
    connectedBefore = true;
  });
  socket.on('disconnect', () => show(false));
  socket.on('connect_error', () => show(false));
  for (const [event, fn] of Object.entries(handlers)) if (event !== 'resync' && fn) socket.on(event, fn as (...args: unknown[]) => void);
  return socket;
}

type Child = Node | string | number | null | undefined | false;
interface Props {
  class?: string;
  text?: string | number;
  dataset?: Record<string, string>;
  onclick?: (e: MouseEvent) => unknown;
  [attribute: string]: unknown;
}

/** el('li', { class: 'x', text: name }, child, ...): text is always text, never HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'class') node.className = String(v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** A name from the campus file or words a person wrote: shown as written, in any language. */
export const user = (text: string): HTMLSpanElement => el('span', { dataset: { user: '' }, text });

/** "3小时12分" / "3 h 12 min" since an ISO time. */
export function since(iso: string, now = Date.now()): string {
  return minutesText(Math.max(0, Math.floor((now - Date.parse(iso)) / 60000)), t);
}

/** Building · floor · room: the names as written, the floor in the page's language. */
export function place(loc: Place): Node[] {
  const parts: Node[] = [user(loc.buildingName)];
  if (loc.floor !== null && loc.floor !== undefined) parts.push(document.createTextNode(t('place.floor', { n: loc.floor })));
  if (loc.roomName) parts.push(user(loc.roomName));
  return parts.flatMap((p, i) => (i ? [document.createTextNode(' · '), p] : [p]));
}

/** Nodes joined by a separator text. */
export const joined = (items: Node[], sep: string): Node[] => items.flatMap((p, i) => (i ? [document.createTextNode(sep), p] : [p]));

export const kindLabel = (kind: DeviceKind) => t(`kind.${kind}`);
export const severityLabel = (s: Severity) => t(`severity.${s}`);
export const tradeLabel = (s: Trade) => t(`trade.${s}`);
export const statusLabel = (s: TicketStatus) => t(`status.${s}`);

/** A ticket's title in the page's language; its device (from the ledger) where the title depends on it. */
export const titleOf = (ticket: Ticket, device?: Device): string =>
  ticketTitle(language, ticket, device && { kind: device.kind, fridgeClass: device.ratings.fridgeClass });

export async function logout(): Promise<void> {
  await api('/api/logout', { method: 'POST' }).catch(() => {});
  location.href = '/login';
}

/** Worst-phase load of a transformer in % of rated current, or undefined. */
export const worstPhaseLoad = (device: Device, values: LastValues | null = device.last): number | undefined =>
  loadOf(values?.currentA, device.ratings.ratedCurrentA);

/** Whether a fridge's temperature is outside its food-safety limits. */
export function fridgeOutOfRange(device: Device, temp = device.last?.tempC): boolean {
  const lim = device.ratings.limitsC;
  return typeof temp === 'number' && lim !== undefined && (temp > lim.max || (lim.min !== undefined && temp < lim.min));
}
