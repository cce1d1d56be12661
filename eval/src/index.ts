export * from './replay.ts';
export * from './scenario.ts';
export * from './score.ts';
export * from './clocks.ts';
export * from './shape-row.ts';
export * from './shapes.ts';
