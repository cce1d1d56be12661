/** Every detector, in one list: the order they run in for a reading. */
import type { Detector } from './detector.ts';
import { batteryLow } from './battery-low.ts';
import { electricityAfterHours } from './electricity-after-hours.ts';
import { fridgeCumulative } from './fridge-cumulative.ts';
import { fridgeDoor } from './fridge-door.ts';
import { fridgeExcursion } from './fridge-excursion.ts';
import { fridgeSensor } from './fridge-sensor.ts';
import { transformerCapacity } from './transformer-capacity.ts';
import { transformerImbalance } from './transformer-imbalance.ts';
import { transformerOverload } from './transformer-load.ts';
import { transformerOilTemp } from './transformer-oil.ts';
import { transformerSensor } from './transformer-sensor.ts';
import { waterBurst } from './water-burst.ts';
import { waterContinuousFlow } from './water-continuous-flow.ts';
import { waterMeterFlags } from './water-meter-flags.ts';
import { waterNightFlow } from './water-night-flow.ts';
import { waterOutOfHours } from './water-out-of-hours.ts';
import { waterRegister } from './water-register.ts';
import { registerFault } from './register-fault.ts';

export const DETECTORS: readonly Detector<any>[] = [
  waterNightFlow,
  waterContinuousFlow,
  waterBurst,
  waterOutOfHours,
  waterMeterFlags,
  waterRegister,
  registerFault,
  transformerOverload,
  transformerImbalance,
  transformerOilTemp,
  transformerCapacity,
  transformerSensor,
  fridgeExcursion,
  fridgeDoor,
  fridgeCumulative,
  fridgeSensor,
  electricityAfterHours,
  batteryLow,
];

/** Thresholds every detector accepts beyond its defaults. */
export const OPTIONAL_PARAMS: Readonly<Record<string, readonly string[]>> = { 'fridge.excursion': ['minC', 'maxC'], 'fridge.cumulative': ['minC', 'maxC'] };
