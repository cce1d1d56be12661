export * from './finding.ts';
export * from './ticket-service.ts';
export * from './ticket-store.ts';
export * from './schema.ts';
export * from './desk.ts';
export * from './desk-server.ts';
export * from './remote-desk.ts';
