export * from './app.ts';
export * from './deps.ts';
export * from './ledger.ts';
export * from './live.ts';
export * from './service.ts';
export * from './auth/auth.ts';
export * from './auth/staff.ts';
export * from './auth/display-tokens.ts';
