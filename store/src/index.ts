export * from './records.ts';
export * from './sqlite/sqlite-store.ts';
export * from './influx/influx-store.ts';
export { InfluxHttp, InfluxUnavailable, InfluxRejected } from './influx/http.ts';
export * from './open.ts';
export * from './context.ts';
export * from './local-state.ts';
export { HOUR_MS, type Period as RollupPeriod, type RollupRow } from './rollups.ts';
export * from './bounds.ts';
