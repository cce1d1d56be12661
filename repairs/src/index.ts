export * from './finding.ts';
export * from './ticket-service.ts';
export * from './ticket-store.ts';
export * from './schema.ts';
