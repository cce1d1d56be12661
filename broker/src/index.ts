export * from './server.ts';
export * from './credentials.ts';
export * from './acl.ts';
export * from './provision.ts';
export * from './flow.ts';
