export * from './service.ts';
export * from './campus-sim.ts';
export * from './fleet.ts';
export * from './profiles.ts';
