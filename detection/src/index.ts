export * from './engine.ts';
export * from './detector.ts';
export { DETECTORS } from './registry.ts';
export { initRegister, stepRegister, type RegisterState } from './detectors/register.ts';
export * from './state-store.ts';
