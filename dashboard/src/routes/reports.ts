/**
 * The term report (学期后勤工作总结 figures), for the office: staff sessions and the API key only
 * (a display token is refused; anyone else is sent to the login page).
 *   GET /reports?term=<name> | ?from=YYYY-MM-DD&to=YYYY-MM-DD   the printable page (default: this term)
 *   GET /reports/<table>.csv?...                                one table as CSV (UTF-8 with BOM, for Excel)
 *   GET /reports/summary.txt?...                                the summary paragraph
 * The page is server-rendered with its charts as inline SVG and no script; its Content Security
 * Policy allows its one style block (by hash) and nothing else.
 */
import type { Request, Response, Router } from 'express';
import { dbPath, openDb, type Db } from '@campus/store';
import { buildReport, esc, PeriodError, renderMessagePage, renderReportHtml, reportTables, REPORT_STYLE_HASH, toCsv, type TermReport } from '@campus/report';
import type { DashboardDeps } from '../deps.ts';

const CSP = `default-src 'none'; style-src ${REPORT_STYLE_HASH}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

export function reportRoutes(router: Router, deps: DashboardDeps): void {
  let db: Db | undefined;
  const conn = () => (db && db.open ? db : (db = deps.dataDir ? openDb(dbPath(deps.dataDir)) : undefined));

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
    const d = conn();
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
      res.type('html').send(renderMessagePage(err.message, { toolbar: toolbar(deps, query(req), null) }));
      return undefined;
    }
  };

  router.get('/reports', async (req, res) => {
    if (!staff(req, res)) return;
    const r = await report(req, res);
    if (!r) return;
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderReportHtml(r, { toolbar: toolbar(deps, query(req), r) }));
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
    const table = reportTables(r).find((t) => t.id === req.params.table);
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

/** The form above the report (hidden in print): a term, or dates; the CSV files; how to print. */
function toolbar(deps: DashboardDeps, q: { term?: string; from?: string; to?: string }, r: TermReport | null): string {
  const campus = deps.campuses[0]!;
  const terms = [...campus.calendar.config.terms].sort((a, b) => b.start.localeCompare(a.start));
  const current = r?.period.term ?? q.term;
  const options = terms.map((t) => `<option${t.name === current ? ' selected' : ''}>${esc(t.name)}</option>`).join('');
  const params = r ? (r.period.term ? `term=${encodeURIComponent(r.period.term)}` : `from=${r.period.from}&to=${r.period.to}`) : '';
  const files = r
    ? `<span class="files">下载表格（CSV）：${reportTables(r)
        .map((t) => `<a href="/reports/${t.id}.csv?${params}" download>${esc(t.title)}</a>`)
        .join('')}<a href="/reports/summary.txt?${params}">摘要文本</a></span>`
    : '';
  return `<div class="toolbar" role="navigation">
<a href="/">← 总览</a>
<form method="get" action="/reports"><label>学期 <select name="term">${options}</select></label> <button type="submit">生成报告</button></form>
<form method="get" action="/reports"><label>或日期 <input type="date" name="from" value="${esc(q.from ?? '')}"> 至 <input type="date" name="to" value="${esc(q.to ?? '')}"></label> <button type="submit">生成</button></form>
<span>打印或另存为 PDF：Ctrl+P（A4）</span>
${files}
</div>`;
}
