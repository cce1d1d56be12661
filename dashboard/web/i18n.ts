/**
 * The page's language: ?lang=en or ?lang=zh chooses and is remembered (localStorage for the pages,
 * a cookie for the server-rendered report page); Chinese by default. Static text in the HTML is
 * named by key: data-i18n (the text), data-i18n-title, data-i18n-placeholder, data-i18n-aria-label;
 * the code names what it renders with t('key'). Names from the campus file and what people wrote
 * are shown as written (marked data-user).
 */
import { LANGUAGE_COOKIE, LANGUAGE_PARAM, parseLanguage, translator, type Language, type TextKey } from './i18n/text.ts';

const STORAGE_KEY = 'campus.lang';

function chosenLanguage(): Language {
  const asked = parseLanguage(new URLSearchParams(location.search).get('lang'));
  if (asked) localStorage.setItem(STORAGE_KEY, LANGUAGE_PARAM[asked]);
  const language = asked ?? parseLanguage(localStorage.getItem(STORAGE_KEY)) ?? 'zh-CN';
  document.cookie = `${LANGUAGE_COOKIE}=${LANGUAGE_PARAM[language]}; path=/; max-age=31536000; samesite=lax`;
  return language;
}

export const language: Language = chosenLanguage();
export const t = translator(language);
/** For dates and times in the page's language (the school's zone is passed where it matters). */
export const locale = language === 'en' ? 'en-GB' : 'zh-CN';

const ATTRIBUTES = ['title', 'placeholder', 'aria-label'] as const;

/** Fills in every keyed text and attribute under `root`. */
export function translateStatic(root: ParentNode = document): void {
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset.i18n as TextKey);
  for (const attr of ATTRIBUTES)
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) node.setAttribute(attr, t(node.getAttribute(`data-i18n-${attr}`) as TextKey));
}

/** The link to the other language, written in that language (so "中文" on an English page is meant). */
function languageSwitch(): void {
  const other: Language = language === 'en' ? 'zh-CN' : 'en';
  const link = document.getElementById('lang') as HTMLAnchorElement | null;
  if (!link) return;
  const params = new URLSearchParams(location.search);
  params.set('lang', LANGUAGE_PARAM[other]);
  link.href = `?${params}`;
  link.textContent = other === 'en' ? 'English' : '中文';
  link.lang = other;
}

/** Runs once the HTML is parsed: the page's language, its keyed text and the switch. */
export function applyLanguage(): void {
  document.documentElement.lang = language;
  translateStatic();
  languageSwitch();
}
