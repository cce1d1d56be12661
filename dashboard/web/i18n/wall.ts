/** The texts of the wall page(s), in both languages (area.ts). */
import { areaText } from './area.ts';

export const wallText = areaText({
  'zh-CN': {},
  en: {},
});
