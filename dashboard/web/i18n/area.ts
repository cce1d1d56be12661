/**
 * One page's (or one area's) own texts in both languages, kept beside the shared dictionary so that
 * each page's text has one file: zh-CN.ts and en.ts spread them in. The type makes each language
 * name every key the other has.
 */
export function areaText<K extends string>(text: { readonly 'zh-CN': Readonly<Record<K, string>>; readonly en: Readonly<Record<K, string>> }) {
  return text;
}
