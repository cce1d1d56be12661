/**
 * The part of the contract a browser page may load: values, labels and formulas without Node
 * (json.ts reads node:buffer, telemetry.ts parses Buffers, external.ts carries the payload
 * decoders). The dashboard's page bundle imports `@campus/contract/browser`; its build refuses
 * any Node built-in, and the pages' type check runs without Node's types.
 */
export * from './kinds.ts';
export * from './tickets.ts';
export * from './requests.ts';
export * from './series.ts';
export * from './topics.ts';
export * from './labels.ts';
export * from './transformer-load.ts';
