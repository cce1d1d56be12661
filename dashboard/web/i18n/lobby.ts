/** The texts of the lobby page(s), in both languages (area.ts). */
import { areaText } from './area.ts';

export const lobbyText = areaText({
  'zh-CN': {},
  en: {},
});
