export * from './service.ts';
export * from './pipeline.ts';
export * from './registry.ts';
export * from './store/store.ts';
export * from './store/sqlite.ts';
export { dbPath } from './store/sqlite-db.ts';
