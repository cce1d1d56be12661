export * from './replay.ts';
export * from './scenario.ts';
export * from './score.ts';
