export * from './service.ts';
export * from './worker.ts';
export * from './assignment.ts';
export * from './pipeline.ts';
export * from './registry.ts';
export { MqttSubscriber } from './subscriber.ts';
export * from './spooled-store.ts';
export * from './detection-service.ts';
