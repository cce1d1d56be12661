export * from './kinds.ts';
export * from './topics.ts';
export * from './telemetry.ts';
export * from './json.ts';
export * from './series.ts';
export * from './tickets.ts';
export * from './fields.ts';
export * from './external.ts';
