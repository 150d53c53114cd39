export * from './scenario.js';
export * from './simulate.js';
export * from './run-scenario.js';
export * from './replay.js';
export * from './from-recording.js';
export * from './coverage.js';
export { eventsFor, describeRecorded, needsOf, type Needs } from './world.js';
export * from './subflows.js';
