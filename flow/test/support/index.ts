export * from './decider.js';
export * from './flows.js';
