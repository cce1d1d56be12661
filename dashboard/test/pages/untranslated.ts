/**
 * What a page shown in English still says in Chinese: text nodes, the document title and the
 * attributes people read (title, placeholder, aria-label, alt), hidden parts included (a form or
 * a message shown later). Exempt are the parts a page marks as not its own words: data-user
 * (names from the campus file, what staff wrote), data-server (what the server wrote, e.g. a
 * ticket's summary) and an element that says it is Chinese (lang="zh-CN", e.g. the switch back to
 * 中文). `names` are campus names that may stand in the document title (the site's). `server: false`
 * takes data-server out of the exemption, for a part the page should have put in English itself
 * (a ticket's summary it has a template for).
 */
import type { Page } from 'playwright-core';

export async function chineseLeft(page: Page, { within = 'html', names = [] as string[], server = true } = {}): Promise<string[]> {
  return page.evaluate(
    ([selector, allowed, serverExempt]) => {
      const doc = (globalThis as unknown as { document: DocumentLike }).document;
      // CJK ideographs, CJK punctuation (。、「」) and full-width forms (（）：，)
      const cjk = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
      const exempt = (e: ElementLike | null) =>
        Boolean(e?.closest(`[data-user], ${serverExempt ? '[data-server], ' : ''}[lang^="zh"], script, style`));
      const found: string[] = [];
      let title = doc.title;
      for (const n of allowed) title = title.split(n).join('');
      if (selector === 'html' && cjk.test(title)) found.push(`<title>: ${doc.title}`);
      const root = doc.querySelector(selector === 'html' ? 'body' : selector);
      if (!root) return [`no ${selector}`];
      const texts = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = texts.nextNode(); n; n = texts.nextNode())
        if (cjk.test(n.nodeValue ?? '') && !exempt(n.parentElement)) found.push(`<${n.parentElement?.tagName.toLowerCase()}> ${n.nodeValue?.trim()}`);
      for (const e of [root, ...root.querySelectorAll('*')])
        for (const attr of ['title', 'placeholder', 'aria-label', 'alt']) {
          const v = e.getAttribute(attr);
          if (v && cjk.test(v) && !exempt(e)) found.push(`<${e.tagName.toLowerCase()} ${attr}> ${v}`);
        }
      return found;

      // the few DOM types this needs, as the test's own tsconfig has no DOM library
      interface ElementLike {
        tagName: string;
        closest(s: string): ElementLike | null;
        getAttribute(a: string): string | null;
        querySelectorAll(s: string): Iterable<ElementLike>;
      }
      interface DocumentLike {
        title: string;
        querySelector(s: string): ElementLike | null;
        createTreeWalker(root: ElementLike, what: number): { nextNode(): { nodeValue: string | null; parentElement: ElementLike | null } | null };
      }
    },
    [within, names, server] as const,
  );
}
