/** The texts of the tickets page(s), in both languages (area.ts). */
import { areaText } from './area.ts';

export const ticketsText = areaText({
  'zh-CN': {},
  en: {},
});
