export * from './errors.ts';
export * from './log.ts';
export * from './knobs.ts';
export * from './service.ts';
export * from './metrics.ts';
export * from './secrets.ts';
export * from './listen.ts';
export * from './hash.ts';
