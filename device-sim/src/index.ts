export * from './service.ts';
export * from './campus-sim.ts';
export * from './fleet.ts';
export * from './profiles.ts';
export * from './faults.ts';
export * from './fault-file.ts';
export * from './backfill.ts';
