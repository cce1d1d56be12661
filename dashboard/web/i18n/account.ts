/** The texts of the account page(s), in both languages (area.ts). */
import { areaText } from './area.ts';

export const accountText = areaText({
  'zh-CN': {},
  en: {},
});
