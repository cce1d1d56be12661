/**
 * The term report (学期后勤工作总结 figures), for the office: staff sessions and the API key only
 * (a display token is refused; anyone else is sent to the login page).
 *   GET /reports?term=<name> | ?from=YYYY-MM-DD&to=YYYY-MM-DD   the printable page (default: this term)
 *   GET /reports/<table>.csv?...                                one table as CSV (UTF-8 with BOM, for Excel);
 *                                                               repair-log.csv: every ticket opened in the period
 *   GET /reports/summary.txt?...                                the summary paragraph
 * The page is server-rendered with its charts as inline SVG and no script; its Content Security
 * Policy allows its one style block (by hash) and nothing else.
 */
import type { Request, Response, Router } from 'express';
import { campusDb } from '../campus-db.ts';
import { buildReport, csvTables, esc, PeriodError, renderMessagePage, renderReportHtml, REPORT_STYLE_HASH, toCsv, type TermReport } from '@campus/report';
import type { DashboardDeps } from '../deps.ts';
import { LANGUAGE_COOKIE, LANGUAGE_PARAM, parseLanguage, translator, type Language } from '../../web/i18n/text.ts';

const CSP = `default-src 'none'; style-src ${REPORT_STYLE_HASH}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

/**
 * The language of the page's own words (the form above the report): ?lang=, else the choice the
 * pages remembered in a cookie, else Chinese. The report below is the school's official Chinese
 * document and stays Chinese.
 */
function languageOf(req: Request): Language {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  const cookie = new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([^;]*)`).exec(req.headers.cookie ?? '')?.[1];
  return parseLanguage(asked) ?? parseLanguage(cookie) ?? 'zh-CN';
}

export function reportRoutes(router: Router, deps: DashboardDeps): void {
  /** staff or the API key; a screen's token may not; nobody else either */
  const staff = (req: Request, res: Response): boolean => {
    const viewer = deps.auth.identify(req.headers);
    if (!viewer) res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    else if (viewer.kind === 'display') res.status(403).type('text/plain; charset=utf-8').send('学期报告只供工作人员查看（显示屏令牌无权查看）');
    return viewer !== null && viewer.kind !== 'display';
  };

  const query = (req: Request) => {
    const q = req.query as Record<string, unknown>;
    const text = (k: string) => (typeof q[k] === 'string' && q[k] ? (q[k] as string) : undefined);
    return { term: text('term'), from: text('from'), to: text('to') };
  };

  /** The report for the request, or an answer already sent (400 for a bad period, 503 without a store). */
  const report = async (req: Request, res: Response): Promise<TermReport | undefined> => {
    const store = deps.store();
    const d = campusDb(deps);
    if (!store || !d) {
      res.status(503).type('text/plain; charset=utf-8').send('数据库尚未就绪，请稍后再试');
      return undefined;
    }
    const campus = deps.campuses[0]!;
    try {
      return await buildReport({ campus, store, db: d, period: query(req), now: deps.now?.() ?? Date.now() });
    } catch (err) {
      if (!(err instanceof PeriodError)) throw err;
      res.status(400).setHeader('Content-Security-Policy', CSP);
      res.type('html').send(renderMessagePage(err.message, { toolbar: toolbar(deps, query(req), null, languageOf(req)) }));
      return undefined;
    }
  };

  router.get('/reports', async (req, res) => {
    if (!staff(req, res)) return;
    const r = await report(req, res);
    if (!r) return;
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderReportHtml(r, { toolbar: toolbar(deps, query(req), r, languageOf(req)) }));
  });

  router.get('/reports/summary.txt', async (req, res) => {
    if (!staff(req, res)) return;
    const r = await report(req, res);
    if (r) res.type('text/plain; charset=utf-8').send(`${r.summary}\n`);
  });

  router.get('/reports/:table.csv', async (req, res) => {
    if (!staff(req, res)) return;
    const r = await report(req, res);
    if (!r) return;
    // the report's tables, and the repairs chapter's: the desk by trade and the repair log (repair-log.csv)
    const table = csvTables(r, deps.campuses[0]).find((t) => t.id === req.params.table);
    if (!table)
      return res
        .status(404)
        .type('text/plain; charset=utf-8')
        .send(`no table ${String(req.params.table).slice(0, 40)}`);
    const name = `${r.period.term ?? `${r.period.from}_${r.period.to}`}-${table.title}.csv`;
    res.setHeader('Content-Disposition', `attachment; filename="${table.id}.csv"; filename*=UTF-8''${encodeURIComponent(name)}`);
    res.type('text/csv; charset=utf-8').send(toCsv(table));
  });
}

/**
 * The form above the report (hidden in print): a term, or dates; the CSV files; how to print; the
 * other language. Term names come from the campus file and table titles from the report, both as
 * written (marked so: data-user, lang="zh-CN").
 */
function toolbar(deps: DashboardDeps, q: { term?: string; from?: string; to?: string }, r: TermReport | null, language: Language): string {
  const t = translator(language);
  const campus = deps.campuses[0]!;
  const terms = [...campus.calendar.config.terms].sort((a, b) => b.start.localeCompare(a.start));
  const current = r?.period.term ?? q.term;
  const options = terms.map((x) => `<option data-user${x.name === current ? ' selected' : ''}>${esc(x.name)}</option>`).join('');
  const params = r ? (r.period.term ? `term=${encodeURIComponent(r.period.term)}` : `from=${r.period.from}&to=${r.period.to}`) : '';
  const files = r
    ? `<span class="files">${t('report.files')}${csvTables(r, campus)
        .map((x) => `<a href="/reports/${x.id}.csv?${params}" download lang="zh-CN">${esc(x.title)}</a>`)
        .join('')}<a href="/reports/summary.txt?${params}">${t('report.summary-text')}</a></span>`
    : '';
  const other: Language = language === 'en' ? 'zh-CN' : 'en';
  const switchTo = new URLSearchParams({
    ...(q.term ? { term: q.term } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    lang: LANGUAGE_PARAM[other],
  });
  const lang = `<input type="hidden" name="lang" value="${LANGUAGE_PARAM[language]}">`;
  return `<div class="toolbar" role="navigation" lang="${language}">
<a href="/">${t('report.back')}</a>
<form method="get" action="/reports"><label>${t('report.term')} <select name="term">${options}</select></label>${lang} <button type="submit">${t('report.make')}</button></form>
<form method="get" action="/reports"><label>${t('report.or-dates')} <input type="date" name="from" value="${esc(q.from ?? '')}"> ${t('report.to')} <input type="date" name="to" value="${esc(q.to ?? '')}"></label>${lang} <button type="submit">${t('report.make-short')}</button></form>
<span>${t('report.print')}</span>
${files}
<a class="lang" href="/reports?${esc(switchTo.toString())}" lang="${other}">${other === 'en' ? 'English' : '中文'}</a>
</div>`;
}
