/**
 * Reads back what Chromium's print-to-PDF wrote (page.pdf()): the pages in order, their size in
 * points, and their text, mapped through each font's ToUnicode table. Enough of PDF for the PDFs
 * Chromium (Skia) writes, so that a print test can check page count, A4 and the words on the
 * page without a PDF library.
 */
import { inflateSync } from 'node:zlib';

export interface PdfPage {
  /** points (1/72 inch): A4 is 595 x 842 */
  width: number;
  height: number;
  text: string;
}

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

const REF = /(\d+)\s+0\s+R/;

function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+)\s+0\s+obj\b/g;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    const body = text.slice(start, end);
    const s = /stream\r?\n/.exec(body);
    if (!s) {
      objects.set(Number(m[1]), { dict: body });
      continue;
    }
    const dict = body.slice(0, s.index);
    const from = start + s.index + s[0].length;
    const length = Number(/\/Length\s+(\d+)(?!\s+0\s+R)/.exec(dict)?.[1] ?? NaN);
    const to = Number.isFinite(length) ? from + length : text.indexOf('endstream', from);
    let stream = pdf.subarray(from, to);
    if (/\/FlateDecode/.test(dict)) stream = inflateSync(stream);
    objects.set(Number(m[1]), { dict, stream });
    header.lastIndex = end;
  }
  return objects;
}

/** code (hex) -> text, from a ToUnicode CMap */
function parseCMap(cmap: string): Map<string, string> {
  const out = new Map<string, string>();
  const utf16 = (hex: string) =>
    Buffer.from(hex.length % 4 ? `00${hex}` : hex, 'hex')
      .swap16()
      .toString('utf16le');
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const [, src, dst] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) out.set(src!.toUpperCase(), utf16(dst!));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, dst, list] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]+)>|\[([^\]]*)\])/g)) {
      const a = parseInt(lo!, 16);
      const b = parseInt(hi!, 16);
      const items = list ? [...list.matchAll(/<([0-9A-Fa-f]+)>/g)].map((x) => x[1]!) : [];
      for (let c = a; c <= b; c++) {
        const code = c.toString(16).toUpperCase().padStart(lo!.length, '0');
        if (list) out.set(code, utf16(items[c - a] ?? ''));
        else {
          const base = parseInt(dst!, 16) + (c - a);
          out.set(code, utf16(base.toString(16).padStart(dst!.length, '0')));
        }
      }
    }
  }
  return out;
}

/**
 * CJK fonts draw a radical and its ideograph with one glyph, and Chromium's ToUnicode names the
 * radical (⼀ U+2F00 for 一): NFKC maps the Kangxi radicals back (and only those: full-width
 * punctuation stays); the supplement ones it does not know are mapped here (the common ones).
 */
const RADICALS: Record<string, string> = {
  '⻝': '食',
  '⻓': '长',
  '⻔': '门',
  '⻋': '车',
  '⻩': '黄',
  '⻢': '马',
  '⻛': '风',
  '⻚': '页',
  '⻜': '飞',
  '⻅': '见',
  '⻉': '贝',
  '⻄': '西',
  '⻘': '青',
  '⻆': '角',
  '⻨': '麦',
  '⻥': '鱼',
  '⻦': '鸟',
  '⻬': '齐',
  '⻮': '齿',
  '⻰': '龙',
  '⻳': '龟',
};
const ideographs = (s: string): string => s.replace(/[\u2E80-\u2FDF]/g, (c) => RADICALS[c] ?? c.normalize('NFKC'));

export function readPdf(pdf: Buffer): PdfPage[] {
  if (pdf.subarray(0, 5).toString() !== '%PDF-') throw new Error('not a PDF');
  const objects = readObjects(pdf);
  const get = (ref: string | undefined) => (ref ? objects.get(Number(REF.exec(ref)?.[1])) : undefined);
  const cmaps = new Map<number, Map<string, string>>();
  const fontMap = (fontRef: string): Map<string, string> => {
    const id = Number(REF.exec(fontRef)?.[1]);
    let map = cmaps.get(id);
    if (!map) {
      const tu = /\/ToUnicode\s+(\d+\s+0\s+R)/.exec(objects.get(id)?.dict ?? '')?.[1];
      cmaps.set(id, (map = parseCMap(get(tu)?.stream?.toString('latin1') ?? '')));
    }
    return map;
  };
  // the page tree in order, from the catalog's /Pages
  const pages: PdfObject[] = [];
  const walk = (obj: PdfObject | undefined, inherited: string) => {
    if (!obj) return;
    if (/\/Type\s*\/Pages\b/.test(obj.dict)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(obj.dict)?.[1] ?? '';
      const box = /\/MediaBox\s*\[[^\]]*\]/.exec(obj.dict)?.[0] ?? inherited;
      for (const [ref] of kids.matchAll(/\d+\s+0\s+R/g)) walk(get(ref), box);
    } else if (/\/Type\s*\/Page\b/.test(obj.dict)) pages.push(/\/MediaBox/.test(obj.dict) ? obj : { dict: `${obj.dict}${inherited}` });
  };
  const catalog = [...objects.values()].find((o) => /\/Type\s*\/Catalog\b/.test(o.dict));
  walk(get(/\/Pages\s+(\d+\s+0\s+R)/.exec(catalog?.dict ?? '')?.[1]), '');

  return pages.map((page) => {
    const box = (/\/MediaBox\s*\[([^\]]*)\]/.exec(page.dict)?.[1] ?? '0 0 0 0').trim().split(/\s+/).map(Number);
    let resources = /\/Resources\s*(\d+\s+0\s+R)/.exec(page.dict) ? get(/\/Resources\s*(\d+\s+0\s+R)/.exec(page.dict)![1])!.dict : page.dict;
    const fontsRef = /\/Font\s*(\d+\s+0\s+R)/.exec(resources)?.[1];
    if (fontsRef) resources = `/Font ${get(fontsRef)?.dict ?? ''}`;
    const fonts = new Map<string, string>();
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? '';
    for (const [, name, ref] of fontDict.matchAll(/\/([^\s/]+)\s+(\d+\s+0\s+R)/g)) fonts.set(name!, ref!);
    const contentRefs = /\/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)/.exec(page.dict)?.[1] ?? '';
    const content = [...contentRefs.matchAll(/\d+\s+0\s+R/g)].map(([ref]) => get(ref)?.stream?.toString('latin1') ?? '').join('\n');
    let map = new Map<string, string>();
    let width = 4;
    let text = '';
    const show = (hex: string) => {
      const h = hex.replace(/\s+/g, '').toUpperCase();
      for (let i = 0; i + width <= h.length; i += width) text += map.get(h.slice(i, i + width)) ?? '';
    };
    const ops = /\/([^\s/[\]<>()]+)\s+[-\d.]+\s+Tf|\[([^\]]*)\]\s*TJ|<([0-9A-Fa-f\s]*)>\s*Tj|\bET\b/g;
    for (const m of content.matchAll(ops)) {
      if (m[1]) {
        map = fontMap(fonts.get(m[1]) ?? '');
        width = map.size ? [...map.keys()][0]!.length : 4;
      } else if (m[2] !== undefined) for (const [, hex] of m[2].matchAll(/<([0-9A-Fa-f\s]*)>/g)) show(hex!);
      else if (m[3] !== undefined) show(m[3]);
      else text += '\n';
    }
    return { width: box[2]! - box[0]!, height: box[3]! - box[1]!, text: ideographs(text) };
  });
}
