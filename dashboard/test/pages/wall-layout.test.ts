/**
 * /wall with 40 open tickets (26 from sensors, 14 people's requests) on a 1080p and a 768p TV, in
 * headless Chromium at a LAN host name over plain HTTP: every ticket has its row wholly on screen
 * or is counted in the summary line, which is itself on screen; rows by severity then age; no
 * scrolling, nothing cut off; the text large enough for 5 m (measured computed sizes); each row
 * with its measured value or the reporter's kind, the room, the worker (or 未派工), overdue shown;
 * stale tiles dimmed with their age.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITY_LABELS_ZH, SEVERITY_RANK, TRADE_LABELS_ZH, type Ticket } from '@campus/contract';
import { launchChromium, REPO_ROOT } from '@campus/testkit';
import { openWall, STALE_DEVICES, STALE_MIN, STAFF, startWallServer, type WallServer } from './wall-fixture.ts';

let browser: Browser;
let server: WallServer;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startWallServer()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}
interface Shown {
  id: number;
  cls: string;
  text: string;
  box: Box;
  /** parts whose content is wider or taller than their box */
  clipped: string[];
  font: { what: number; where: number; value: number; who: number; age: number };
}

/** What the screen shows, measured in the page. */
function measure(page: Page) {
  return page.evaluate(() => {
    const d = (globalThis as any).document;
    const w = globalThis as any;
    const box = (e: any): Box => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    const px = (e: any) => (e ? parseFloat(w.getComputedStyle(e).fontSize) : 0);
    const rows: Shown[] = [...d.querySelectorAll('#tickets li')].map((li: any) => ({
      id: Number(li.dataset.ticketId),
      cls: li.className,
      text: li.textContent,
      box: box(li),
      clipped: [li, ...li.querySelectorAll('*')]
        .filter((e: any) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
        .filter((e: any) => e.clientWidth > 0) // inline elements have no client box
        .map((e: any) => `${e.className || e.tagName}: ${e.textContent} (${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight})`),
      font: {
        what: px(li.querySelector('.what')),
        where: px(li.querySelector('.where')),
        value: px(li.querySelector('.value')),
        who: px(li.querySelector('.who')),
        age: px(li.querySelector('.age')),
      },
    }));
    const more = d.getElementById('more');
    const root = d.documentElement;
    return {
      rows,
      more: { text: more.textContent as string, box: box(more), clipped: more.scrollWidth > more.clientWidth + 1 },
      view: { width: w.innerWidth as number, height: w.innerHeight as number },
      scroll: { height: root.scrollHeight as number, width: root.scrollWidth as number, bodyHeight: d.body.scrollHeight as number },
      tiles: [...d.querySelectorAll('.tiles li')].map((li: any) => ({ id: li.dataset.deviceId as string, cls: li.className as string, text: li.textContent as string })),
    };
  });
}

const inside = (b: Box, v: { width: number; height: number }) => b.top >= 0 && b.left >= 0 && b.bottom <= v.height && b.right <= v.width;

describe.each([
  { width: 1920, height: 1080, shot: 'wall-1080p.png' },
  { width: 1366, height: 768, shot: 'wall-768p.png' },
])('the wall at $width x $height with 40 open tickets', ({ width, height, shot }) => {
  it('shows or counts every ticket, on screen, by severity then age, nothing cut off', { timeout: 120_000 }, async () => {
    const { page, watch } = await openWall(server, browser, '', { width, height });
    try {
      await page.evaluate(() => (globalThis as any).document.fonts.ready);
      const open = server.tickets.list({ status: 'open' as never }).filter((x: Ticket) => x.category === 'repair');
      expect(open).toHaveLength(40);
      expect(open.filter((x) => x.source === 'person')).toHaveLength(14);
      const m = await measure(page);

      // no scrolling, and the summary line wholly on screen
      expect(m.scroll.height).toBeLessThanOrEqual(height);
      expect(m.scroll.width).toBeLessThanOrEqual(width);
      expect(m.scroll.bodyHeight).toBeLessThanOrEqual(height);
      expect(inside(m.more.box, m.view), `summary ${JSON.stringify(m.more.box)}`).toBe(true);
      expect(m.more.clipped).toBe(false);

      // every row on screen, none clipped; the rows are the first by severity then age, the rest counted
      expect(m.rows.length).toBeGreaterThanOrEqual(4);
      for (const r of m.rows) {
        expect(inside(r.box, m.view), `row ${r.id} ${JSON.stringify(r.box)}`).toBe(true);
        expect(r.clipped, `row ${r.id}`).toEqual([]);
      }
      const order = [...open].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || Date.parse(a.openedAt) - Date.parse(b.openedAt));
      expect(m.rows.map((r) => r.id)).toEqual(order.slice(0, m.rows.length).map((x) => x.id));
      const rest = order.slice(m.rows.length);
      expect(rest.length).toBeGreaterThan(0);
      expect(m.more.text).toContain(`另有 ${rest.length} 张：`);
      for (const label of [...Object.values(SEVERITY_LABELS_ZH), ...Object.values(TRADE_LABELS_ZH)]) {
        const n = rest.filter((x) => SEVERITY_LABELS_ZH[x.severity] === label || TRADE_LABELS_ZH[x.trade] === label).length;
        if (n) expect(m.more.text).toContain(`${label} ${n}`);
        else expect(m.more.text).not.toMatch(new RegExp(`${label} \\d`));
      }

      // what each row says
      const now = Date.now();
      for (const r of m.rows) {
        const x = open.find((o) => o.id === r.id)!;
        if (x.source === 'person') expect(r.text).toContain('报修：');
        else {
          const last = x.evidence.at(-1)!;
          expect(r.text).toContain(last.unit);
        }
        if (x.location.roomName) expect(r.text).toContain(x.location.roomName);
        expect(r.text).toContain(x.assigneeName ?? '未派工');
        if (x.assigneeName) expect(Object.values(STAFF)).toContain(x.assigneeName);
        const late = x.dueAt !== null && Date.parse(x.dueAt) < now;
        expect(r.cls.includes('overdue'), `row ${r.id} overdue`).toBe(late);
        if (late) expect(r.text).toContain('超时');
      }
      // the two urgent requests (30 min, reported hours ago) are overdue, and critical: on screen
      expect(m.rows.filter((r) => r.cls.includes('overdue')).length).toBeGreaterThanOrEqual(2);

      // sized for 5 m: rows at least 28 px at 1080p (titles larger), the same proportions at 768p
      const scale = height / 1080;
      for (const r of m.rows) {
        for (const part of ['where', 'value', 'who', 'age'] as const) expect(r.font[part], `${part} of row ${r.id}`).toBeGreaterThanOrEqual(28 * scale - 0.5);
        expect(r.font.what).toBeGreaterThan(r.font.where);
        expect(r.font.what).toBeGreaterThanOrEqual(34 * scale - 0.5);
      }

      // stale tiles: dimmed, and how old
      for (const id of STALE_DEVICES) {
        const tile = m.tiles.find((x) => x.id === id)!;
        expect(tile.cls).toContain('stale');
        expect(tile.text).toMatch(new RegExp(`数据已过时 (${STALE_MIN}|${STALE_MIN + 1}) 分钟`));
      }
      expect(m.tiles.filter((x) => x.cls.includes('stale')).map((x) => x.id).sort()).toEqual([...STALE_DEVICES].sort());

      await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots', shot) });
      expect(watch.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
