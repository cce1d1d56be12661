/** Every detector, in one list: the order they run in for a reading. */
import type { Detector } from './detector.ts';
import { batteryLow } from './detectors/battery-low.ts';
import { electricityAfterHours } from './detectors/electricity-after-hours.ts';
import { fridgeCumulative } from './detectors/fridge-cumulative.ts';
import { fridgeDoor } from './detectors/fridge-door.ts';
import { fridgeExcursion } from './detectors/fridge-excursion.ts';
import { fridgeSensor } from './detectors/fridge-sensor.ts';
import { transformerCapacity } from './detectors/transformer-capacity.ts';
import { transformerImbalance } from './detectors/transformer-imbalance.ts';
import { transformerOverload } from './detectors/transformer-load.ts';
import { transformerOilTemp } from './detectors/transformer-oil.ts';
import { transformerSensor } from './detectors/transformer-sensor.ts';
import { waterBurst } from './detectors/water-burst.ts';
import { waterContinuousFlow } from './detectors/water-continuous-flow.ts';
import { waterMeterFlags } from './detectors/water-meter-flags.ts';
import { waterNightFlow } from './detectors/water-night-flow.ts';
import { waterOutOfHours } from './detectors/water-out-of-hours.ts';
import { waterRegister } from './detectors/water-register.ts';
import { registerFault } from './detectors/register-fault.ts';

export const DETECTORS: readonly Detector<any, any, any>[] = [
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
