/**
 * Text by key, without the DOM: the dictionaries, the language names, and t() for one language.
 * The pages use it through ../i18n.ts; the server uses it for the report selection page.
 */
import type { Language } from '@campus/contract/browser';
import { en } from './en.ts';
import { zhCN, type Dictionary, type TextKey } from './zh-CN.ts';

export type { Language, TextKey };

export const DICTIONARIES: Readonly<Record<Language, Dictionary>> = Object.freeze({ 'zh-CN': zhCN, en });

/** The choice as the address and the cookie spell it: ?lang=en, ?lang=zh. */
export const LANGUAGE_PARAM: Readonly<Record<Language, string>> = Object.freeze({ 'zh-CN': 'zh', en: 'en' });
/** The cookie that tells the server-rendered pages the choice the browser remembered. */
export const LANGUAGE_COOKIE = 'campus_lang';

/** A language from ?lang= or the cookie's value, undefined for anything else. */
export function parseLanguage(value: string | null | undefined): Language | undefined {
  return value === 'en' ? 'en' : value === 'zh' || value === 'zh-CN' ? 'zh-CN' : undefined;
}

export type Vars = Readonly<Record<string, string | number>>;

/** t(key, { n: 3 }) in `language`: the entry with each {name} filled in. */
export function translator(language: Language): (key: TextKey, vars?: Vars) => string {
  const dict = DICTIONARIES[language];
  return (key, vars) => {
    // a key only zh-CN has (the type check stops that in this repository) shows in Chinese, not as "undefined"
    const text = dict[key] ?? zhCN[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
  };
}

/** "45 min", "2 h 5 min", "3 d 4 h": a duration in whole minutes, as every page writes one */
export function minutesText(m: number, t: (key: TextKey, vars?: Vars) => string): string {
  if (m < 60) return t('time.min', { m });
  const h = Math.floor(m / 60);
  if (h >= 48) return t('time.dh', { d: Math.floor(h / 24), h: h % 24 });
  return m % 60 ? t('time.hm', { h, m: m % 60 }) : t('time.h', { h });
}
