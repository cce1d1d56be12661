/** When each fridge fault actually took the food out of range: the clock of the excursion goals. */
import { FRIDGE_LIMITS_C, type FridgeValues, type Reading } from '@campus/contract';
import type { Campus } from '@campus/site';
import type { LabelledFault } from './scenario.ts';

export function outOfRangeClocks(campus: Campus, labelled: readonly LabelledFault[], clocks = new Map<string, number>()) {
  const fridgeFaults = labelled.filter((l) => l.expect?.clock === 'out_of_range');
  const onReading = (r: Reading) => {
    if (r.kind !== 'fridge') return;
    for (const l of fridgeFaults) {
      if (l.fault.target !== r.deviceId || clocks.has(l.fault.id) || r.ts < l.fault.from) continue;
      const device = campus.device(r.deviceId)!;
      const limits = device.kind === 'fridge' ? FRIDGE_LIMITS_C[device.fridgeClass] : { max: 8 };
      const temp = (r.values as FridgeValues).tempC;
      if (temp > limits.max || ('min' in limits && limits.min !== undefined && temp < limits.min)) clocks.set(l.fault.id, r.ts);
    }
  };
  return { clocks, onReading };
}
