/**
 * A cumulative register beyond the digits its meter has (the campus file's `registerMaxM3`,
 * `registerMaxKWh`: 8 digits by default, decimals aside, so 99,999,999.999 is the last value before
 * it wraps to 0) is not a reading but a corrupted message: refused before
 * it is stored, so no day's use, competition score or report ever counts it (1e15 m³ after 7055
 * once opened a burst ticket; 1e15 kWh would make a class's average power absurd). A jump within
 * the register's range is judged by the detectors (register.ts, register-fault.ts): whether it is
 * plausible depends on the readings before it.
 */
import type { TelemetryValues } from '@campus/contract';
import type { DeviceConfig } from '@campus/site';

export function beyondRegister(device: DeviceConfig, values: TelemetryValues): string | undefined {
  const v = values as { totalM3?: number; totalKWh?: number };
  if (device.kind === 'water_meter' && v.totalM3 !== undefined && v.totalM3 >= device.registerMaxM3 + 1)
    return `totalM3 ${v.totalM3} is beyond what the meter's register can show (registerMaxM3 ${device.registerMaxM3} in the campus file): not a reading`;
  if ((device.kind === 'electric_meter' || device.kind === 'transformer') && v.totalKWh !== undefined && v.totalKWh >= device.registerMaxKWh + 1)
    return `totalKWh ${v.totalKWh} is beyond what the meter's register can show (registerMaxKWh ${device.registerMaxKWh} in the campus file): not a reading`;
  return undefined;
}
