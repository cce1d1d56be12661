export * from './wait.ts';
export * from './temp.ts';
export * from './stack.ts';
export * from './browser.ts';
export * from './system.ts';
export * from './api.ts';
export * from './influxd.ts';
export * from './campus.ts';
