/**
 * The summary's sentence on the devices nothing happened to: when some were named already (the
 * fridge with an excursion), the rest are 其余 N 台, never 全部 N 台 (the term report once said
 * "冷藏柜2 超温 … 全部 4 台冷柜未发生温度超标" of a canteen with five).
 */
import { describe, expect, it } from 'vitest';
import type { Coverage } from '../src/coverage.ts';
import { saidOf } from '../src/summary.ts';

const fridges = ['fr-chiller-1', 'fr-chiller-2', 'fr-freezer-1', 'fr-freezer-2', 'fr-sample'];
const coverage: Coverage = {
  devices: 5,
  complete: 5,
  issues: [],
  days: 21,
  byDevice: Object.fromEntries(fridges.map((id) => [id, { name: id, kind: 'fridge' as const, dataDays: 21 }])),
};
const said = { noun: '冷柜', what: '未发生温度超标', unknown: '无法判断是否超温', data: '温度', of: fridges.length };

describe('what the summary says of the devices nothing happened to', () => {
  it('is 其余 N 台 when others were named, 全部 N 台 when none was', () => {
    expect(
      saidOf(
        coverage,
        fridges.filter((id) => id !== 'fr-chiller-2'),
        said,
      ).known,
    ).toEqual(['其余 4 台冷柜（数据覆盖本期全部 21 天）未发生温度超标']);
    expect(saidOf(coverage, fridges, said).known).toEqual(['全部 5 台冷柜（数据覆盖本期全部 21 天）未发生温度超标']);
  });
});
