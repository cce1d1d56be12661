// The class energy-saving board: ranking by saving against the baseline, kWh per student, the
// period's 先进班级 and the money saved; a class's daily use against its baseline. For a lobby
// screen (display token), a class, or printing for the notice board.
import type { Chart as ChartInstance } from 'chart.js';
import type { CampusSite } from '../api-types.ts';
import { api, byId, el, errorText, joined, session, user } from '../common.ts';
import { t } from '../i18n.ts';
import { runPage } from '../page.ts';
import { fmt, savingClass, type Basis, type Resource, type Result } from '../competition-result.ts';

interface Saved {
  id: number;
  name: string;
  resource: Resource;
  from: string;
  to: string;
}

const PERIOD = { week: 'period.week', month: 'period.month', term: 'period.term', custom: 'period.custom-long' } as const;
const state = { result: null as Result | null, selected: null as string | null, chart: null as ChartInstance | null, saved: new Map<string, Saved>() };
/** money against the baseline: never a negative saving */
const money = (yuan: number | null) =>
  yuan !== null && Math.round(yuan) < 0 ? t('competition.yuan-more', { yuan: fmt(-yuan, 0) }) : t('competition.yuan', { yuan: fmt(yuan, 0) });
const BASES: readonly Basis[] = ['year_earlier', 'school_trend'];
const choose = () => byId<HTMLFormElement>('choose');
const field = (name: string) => choose().elements.namedItem(name) as HTMLInputElement;
const values = () => Object.fromEntries(new FormData(choose())) as Record<string, string>;

async function loadSaved() {
  const { competitions } = await api<{ competitions: Saved[] }>('/api/competitions');
  state.saved = new Map(competitions.map((c) => [String(c.id), c]));
  field('saved').replaceChildren(
    el('option', { value: '', text: '—' }),
    // the name is staff's own words
    ...competitions.map((c) =>
      el('option', { value: c.id, dataset: { user: '' }, text: t('competition.saved-option', { name: c.name, from: c.from, to: c.to }) }),
    ),
  );
}

/** Choosing a saved competition fills in its window. */
function applySaved() {
  const c = state.saved.get(field('saved').value);
  if (!c) return;
  field('resource').value = c.resource;
  field('period').value = 'custom';
  field('from').value = c.from;
  field('to').value = c.to;
}

function showNote(text: Node | null) {
  const note = byId('note');
  note.hidden = !text;
  note.replaceChildren(...(text ? [text] : []));
}

async function save() {
  const f = values();
  try {
    await api('/api/competitions', { method: 'POST', body: { name: f.name, resource: f.resource, from: f.from, to: f.to } });
    await loadSaved();
    showNote(null);
  } catch (err) {
    showNote(errorText(err));
  }
}

async function load() {
  const f = values();
  choose().classList.toggle('custom', f.period === 'custom');
  if (f.period === 'custom' && !(f.from && f.to)) return;
  const q = new URLSearchParams({ resource: f.resource!, period: f.period! });
  if (f.period === 'custom') (q.set('from', f.from!), q.set('to', f.to!));
  state.result = await api<Result>(`/api/competition?${q}`);
  render();
}

function render() {
  const r = state.result!;
  const unit = r.unit;
  const kw = r.resource === 'electricity' ? 'kW' : 'm³/h';
  byId('title').textContent = t(`competition.heading.${r.resource}`, { period: t(PERIOD[r.period]) });
  byId('window').textContent = [
    t('competition.window', { from: r.window.from, to: r.window.to, days: r.window.days.length, tariff: r.tariffYuan, unit }),
    // the baseline each class was judged on: kind, dates and how many classes
    ...BASES.filter((b) => r.bases[b] > 0).map((b) => {
      const span = b === 'year_earlier' ? r.yearEarlier : r.baseline;
      const pct = r.schoolRatio === null ? null : fmt((r.schoolRatio - 1) * 100, 1);
      const change = pct === null ? '—' : pct.startsWith('-') ? `−${pct.slice(1)} %` : `+${pct} %`;
      return t(`competition.basis.${b}`, { from: span.from, to: span.to, days: span.days.length, change, classes: r.bases[b] });
    }),
  ].join(' · ');
  const top = r.classes.filter((c) => r.winners.includes(c.classId));
  byId('winners').replaceChildren(
    ...(top.length
      ? [
          t('competition.winners'),
          el(
            'strong',
            {},
            ...joined(
              top.map((c) => user(c.name)),
              t('list.sep'),
            ),
          ),
          Math.round(r.winnersSavedYuan) > 0 ? t('competition.total-saved', { yuan: fmt(r.winnersSavedYuan, 0) }) : '',
          // what the school really paid more, the season included (taken out of the savings)
          r.bases.school_trend && Math.round(r.measuredSavedYuan) < 0 ? t('competition.measured-more', { yuan: fmt(-r.measuredSavedYuan, 0) }) : '',
        ]
      : r.nobodySaved
        ? [
            t(`competition.nobody-saved.${r.resource}`),
            Math.round(r.totalSavedYuan) < 0 ? t('competition.total-more', { yuan: fmt(-r.totalSavedYuan, 0) }) : '',
          ]
        : []),
  );
  // why there is no ranking: the server's words
  showNote(r.note ? el('span', { dataset: { server: '' }, text: r.note }) : null);
  const ranked = r.classes.filter((c) => c.rank > 0);
  const select = (classId: string) => () => {
    state.selected = classId;
    render();
  };
  byId<HTMLTableElement>('saving').tBodies[0]!.replaceChildren(
    ...ranked.map((c) =>
      el(
        'tr',
        {
          class: `${r.winners.includes(c.classId) ? 'top' : ''}${state.selected === c.classId ? ' selected' : ''}`,
          dataset: { classId: c.classId, basis: c.basis },
          onclick: select(c.classId),
        },
        el('td', { text: c.rank }),
        el('td', {}, user(c.name)),
        el(
          'td',
          c.basis === 'school_trend' && r.schoolRatio !== null
            ? { title: t('competition.expected-title', { measured: `${fmt(c.baselineAvgKW, 2)} ${kw}`, ratio: fmt(r.schoolRatio, 3) }) }
            : {},
          `${fmt(c.expectedAvgKW, 2)} ${kw}`,
          ...(r.bases.year_earlier && r.bases.school_trend ? [el('span', { class: 'muted', text: ` ${t(`competition.basis-tag.${c.basis}`)}` })] : []),
        ),
        el('td', { text: `${fmt(c.actualAvgKW, 2)} ${kw}` }),
        el('td', { class: savingClass(c.savingPct), text: `${fmt(c.savingPct, 1)} %` }),
        el('td', { text: money(c.moneySavedYuan) }),
      ),
    ),
  );
  const perStudent = r.classes.filter((c) => c.perStudentPerDay !== null).sort((a, b) => a.perStudentPerDay! - b.perStudentPerDay!);
  byId<HTMLTableElement>('per-student').tBodies[0]!.replaceChildren(
    ...perStudent.map((c, i) =>
      el(
        'tr',
        { dataset: { classId: c.classId }, onclick: select(c.classId) },
        el('td', { text: i + 1 }),
        el('td', {}, user(c.name)),
        el('td', { text: c.students }),
        el('td', { text: `${fmt(c.perStudentPerDay, 3)} ${unit}` }),
      ),
    ),
  );
  if (!state.selected && ranked[0]) state.selected = ranked[0].classId;
  drawDaily(r);
  document.body.dataset.ranked = String(ranked.length);
}

function drawDaily(r: Result) {
  const c = r.classes.find((x) => x.classId === state.selected);
  state.chart?.destroy();
  state.chart = null;
  if (!c) return;
  byId('daily-title').replaceChildren(user(c.name), t(`competition.daily.${r.resource}`, { unit: r.unit }));
  // a year-earlier baseline's days carry their year
  const labels = c.daily.map((d) => (d.date.slice(0, 4) === r.window.from.slice(0, 4) ? d.date.slice(5) : d.date));
  // what the class is judged against, a day
  const baseDaily = c.expectedAvgKW === null ? null : c.expectedAvgKW * 24;
  state.chart = new Chart(byId<HTMLCanvasElement>('daily'), {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: t('competition.daily-use'),
          data: c.daily.map((d) => d.use),
          backgroundColor: c.daily.map((d) => (r.window.days.includes(d.date) ? '#1565c0' : '#9fb6cc')),
        },
        // a line over the bars: chart.js mixes types per dataset
        {
          type: 'line',
          label: t('competition.baseline-daily'),
          data: labels.map(() => baseDaily),
          borderColor: '#c62828',
          borderDash: [6, 4],
          pointRadius: 0,
        } as never,
      ],
    },
    options: { animation: false, maintainAspectRatio: false },
  }) as unknown as ChartInstance;
}

runPage(async () => {
  const viewer = await session();
  if (viewer.kind === 'service' || (viewer.kind === 'staff' && viewer.role === 'admin'))
    for (const n of document.querySelectorAll<HTMLElement>('.admin-only')) n.hidden = false;
  if (viewer.kind === 'staff') for (const n of document.querySelectorAll<HTMLElement>('.staff-only')) n.hidden = false;
  await loadSaved();
  field('saved').addEventListener('change', applySaved);
  byId('save').addEventListener('click', () => void save());
  const { sites } = await api<{ sites: CampusSite[] }>('/api/campus');
  if (sites[0]) byId('site-name').replaceChildren(user(sites[0].name));
  choose().addEventListener('change', () => load().catch((e: unknown) => showNote(errorText(e))));
  byId('print').addEventListener('click', () => window.print());
  await load();
  setInterval(() => load().catch(() => {}), 5 * 60_000); // a lobby screen stays current
  document.body.dataset.ready = 'true';
});
