/** The texts of the request page(s), in both languages (area.ts). */
import { areaText } from './area.ts';

export const requestText = areaText({
  'zh-CN': {},
  en: {},
});
