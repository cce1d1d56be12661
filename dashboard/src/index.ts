export * from './app.ts';
export * from './deps.ts';
export * from './ledger.ts';
export * from './live.ts';
export * from './service.ts';
