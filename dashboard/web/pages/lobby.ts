// The competition board as a lobby display (/lobby?token=…, a display token of scope lobby): type
// sized for a hall, boards that rotate by themselves with a page indicator, no links. Use per school
// day in 度 (kWh) and 吨 (m³ of water). The address may say ?period=week|month|term|custom
// (&from=&to=), ?rotate=<seconds> (20), ?refresh=<seconds> (300) and ?retry=<seconds> (30).
// While the server cannot be reached the last boards stay up with a line saying so; once it answers
// again the page reloads, after fetching itself first (so the browser's error page never replaces it).
import type { CampusSite } from '../api-types.ts';
import { api, byId, el, errorText, joined, session, user } from '../common.ts';
import { fmt, PERIODS, savingClass, type Period, type Resource, type Result } from '../competition-result.ts';
import { locale, t } from '../i18n.ts';
import { runPage } from '../page.ts';

const params = new URLSearchParams(location.search);
/** a number of seconds from the address, at least `min`, else `fallback` */
const seconds = (name: string, fallback: number, min = 1) => {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) && v >= min ? v : fallback;
};
const ROTATE_MS = seconds('rotate', 20) * 1000;
const REFRESH_MS = seconds('refresh', 300) * 1000;
const RETRY_MS = seconds('retry', 30) * 1000;
const period: Period = (PERIODS as readonly string[]).includes(params.get('period') ?? '') ? (params.get('period') as Period) : 'week';

const state = { slides: [] as HTMLElement[], index: 0, lastOk: 0, failing: false };

async function fetchBoard(resource: Resource): Promise<Result> {
  const q = new URLSearchParams({ resource, period });
  if (period === 'custom') for (const k of ['from', 'to']) q.set(k, params.get(k) ?? '');
  return api<Result>(`/api/competition?${q}`);
}

/** A ranking's rows: [rank, class, value, saving]; each row a `tr`. */
type Row = { top: boolean; cells: (Node | string)[]; savingPct?: number | null };

function slide(title: string, body: HTMLElement): HTMLElement {
  return el('section', { class: 'lobby-slide', hidden: '' }, el('h2', { text: title }), body);
}

function table(headings: string[], rows: Row[]): HTMLTableElement {
  return el(
    'table',
    { class: 'lobby-board' },
    el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { text: h })))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          { class: r.top ? 'top' : '' },
          ...r.cells.map((c, i) => el('td', i === r.cells.length - 1 && r.savingPct !== undefined ? { class: savingClass(r.savingPct) } : {}, c)),
        ),
      ),
    ),
  );
}

/** How many rows of a board fit on the screen below its title: measured on a board of one row. */
function rowsThatFit(headings: string[], sample: Row): number {
  const box = byId('slides');
  const probe = slide('—', table(headings, [sample]));
  probe.hidden = false;
  box.replaceChildren(probe);
  const row = probe.querySelector('tbody tr')!.getBoundingClientRect();
  const room = box.getBoundingClientRect().bottom - row.top;
  box.replaceChildren();
  return Math.max(1, Math.floor(room / Math.max(1, row.height)));
}

/** One board as as many slides as it needs, "(1/2)" in the title when more than one. */
function boardSlides(title: string, headings: string[], rows: Row[]): HTMLElement[] {
  if (!rows.length) return [slide(title, el('p', { class: 'lobby-note', text: t('lobby.no-ranking') }))];
  const per = rowsThatFit(headings, rows[0]!);
  const parts = Math.ceil(rows.length / per);
  return Array.from({ length: parts }, (_, i) =>
    slide(parts > 1 ? title + t('lobby.part', { n: i + 1, of: parts }) : title, table(headings, rows.slice(i * per, (i + 1) * per))),
  );
}

const perDay = (r: Result, avgKW: number | null) => t(`lobby.daily.${r.resource}`, { n: fmt(avgKW === null ? null : avgKW * 24, 1) });

function rankingSlides(r: Result): HTMLElement[] {
  const title = t(`lobby.slide.${r.resource}`);
  const ranked = r.classes.filter((c) => c.rank > 0).sort((a, b) => a.rank - b.rank);
  // why there is no ranking (no readings yet, a holiday): the server's words
  if (!ranked.length && r.note) return [slide(title, el('p', { class: 'lobby-note', dataset: { server: '' }, text: r.note }))];
  return boardSlides(
    title,
    [t('competition.rank'), t('competition.class'), t('lobby.daily'), t('competition.saving')],
    ranked.map((c) => ({
      top: r.winners.includes(c.classId),
      cells: [String(c.rank), user(c.name), perDay(r, c.actualAvgKW), `${fmt(c.savingPct, 1)} %`],
      savingPct: c.savingPct,
    })),
  );
}

function perStudentSlides(r: Result): HTMLElement[] {
  const list = r.classes.filter((c) => c.perStudentPerDay !== null).sort((a, b) => a.perStudentPerDay! - b.perStudentPerDay!);
  return boardSlides(
    t('lobby.slide.per-student'),
    [t('competition.rank'), t('competition.class'), t('competition.students'), t('competition.per-student')],
    list.map((c, i) => ({ top: i === 0, cells: [String(i + 1), user(c.name), String(c.students), t('lobby.per-student.electricity', { n: fmt(c.perStudentPerDay, 2) })] })),
  );
}

function winnersSlide(results: Result[]): HTMLElement {
  return slide(
    t('lobby.slide.winners'),
    el(
      'div',
      { class: 'lobby-winners' },
      ...results.map((r) => {
        const top = r.classes.filter((c) => r.winners.includes(c.classId));
        return el(
          'section',
          { dataset: { resource: r.resource } },
          el('h3', { text: t(`lobby.winners.${r.resource}`) }),
          top.length
            ? [
                el(
                  'p',
                  { class: 'names' },
                  ...joined(
                    top.map((c) => user(c.name)),
                    t('list.sep'),
                  ),
                ),
                Math.round(r.winnersSavedYuan) > 0 ? el('p', { class: 'saved', text: t('lobby.saved', { yuan: fmt(r.winnersSavedYuan, 0) }) }) : null,
              ]
            : // never name a class that used more: say plainly that nobody saved
              el('p', { class: 'none', text: r.nobodySaved ? t(`competition.nobody-saved.${r.resource}`) : t('lobby.no-ranking') }),
        );
      }),
    ),
  );
}

function show(index: number): void {
  state.index = state.slides.length ? index % state.slides.length : 0;
  state.slides.forEach((s, i) => (s.hidden = i !== state.index));
  byId('pager').replaceChildren(
    ...state.slides.map((_, i) =>
      el('li', { text: i + 1, 'aria-current': i === state.index ? 'true' : 'false', 'aria-label': t('lobby.pager', { n: i + 1, of: state.slides.length }) }),
    ),
  );
  document.body.dataset.slide = String(state.index);
}

function render(electricity: Result, water: Result): void {
  byId('window').textContent = t('lobby.window', { from: electricity.window.from, to: electricity.window.to, days: electricity.window.days.length });
  // the water board only where classes have their own water meters
  const withWater = water.classes.some((c) => c.rank > 0);
  state.slides = [
    ...rankingSlides(electricity),
    ...perStudentSlides(electricity),
    ...(withWater ? rankingSlides(water) : []),
    winnersSlide(withWater ? [electricity, water] : [electricity]),
  ];
  byId('slides').replaceChildren(...state.slides);
  document.body.dataset.slides = String(state.slides.length);
  show(state.index);
}

function showOffline(err: unknown): void {
  const status = byId('status');
  status.hidden = false;
  const time = state.lastOk ? new Date(state.lastOk).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) : '—';
  status.replaceChildren(t('lobby.offline', { time }), ' · ', errorText(err));
  document.body.dataset.offline = 'true';
}

/** Reloads once the page itself is served again; false while it is not. */
async function reloadWhenServed(): Promise<boolean> {
  try {
    const page = await fetch(location.href, { cache: 'no-store', credentials: 'same-origin' });
    if (!page.ok) return false;
  } catch {
    return false;
  }
  location.reload();
  return true;
}

/** Fetches the boards; after a failure, retries sooner, and reloads the page once the server is back. */
async function refresh(): Promise<void> {
  try {
    const [electricity, water] = await Promise.all([fetchBoard('electricity'), fetchBoard('water')]);
    if (state.failing && (await reloadWhenServed())) return;
    state.failing = false;
    state.lastOk = Date.now();
    byId('status').hidden = true;
    delete document.body.dataset.offline;
    render(electricity, water);
  } catch (err) {
    state.failing = true;
    showOffline(err);
  }
  setTimeout(() => void refresh(), state.failing ? RETRY_MS : REFRESH_MS);
}

runPage(async () => {
  await session();
  const { sites } = await api<{ sites: CampusSite[] }>('/api/campus');
  if (sites[0]) byId('site-name').replaceChildren(user(sites[0].name));
  await refresh();
  setInterval(() => show(state.index + 1), ROTATE_MS);
  document.body.dataset.ready = 'true';
});
