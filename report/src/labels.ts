/** Chinese names of ticket conditions (detector keys, detection/src/detectors/), for the report's tables. */
export const CONDITION_LABELS_ZH: Readonly<Record<string, string>> = Object.freeze({
  'water.night_flow': '夜间流量异常（疑似漏水）',
  'water.continuous_flow': '持续用水不停（疑似漏水）',
  'water.burst': '流量骤增（疑似爆管）',
  'water.out_of_hours': '节假日 / 周末用水偏高',
  'water.meter_alarm': '水表自报漏水 / 爆管',
  'water.register_stuck': '水表读数停走',
  'register.fault': '表计读数异常跳变',
  'transformer.overload': '变压器过载',
  'transformer.imbalance': '三相不平衡',
  'transformer.oil_temp': '变压器油温过高',
  'transformer.sensor_fault': '变压器传感器故障',
  'transformer.near_capacity': '变压器容量接近上限',
  'fridge.excursion': '冷柜温度超标',
  'fridge.door_open': '冷柜门未关',
  'fridge.cumulative': '冷柜当日累计超温',
  'fridge.sensor_fault': '冷柜温度传感器故障',
  'electricity.after_hours': '下课后用电未关（人走灯灭）',
  'device.battery_low': '设备电池电量低',
  'device.offline': '设备离线',
  'gateway.outage': '采集网关故障',
  'feeder.outage': '供电线路停电',
  'detector.error': '检测程序错误',
});

export const conditionLabel = (condition: string, title?: string): string => CONDITION_LABELS_ZH[condition] ?? title ?? condition;
