export { startEmulator, type Emulator, type EmulatorOptions } from './server.js';
export {
  ControlClient,
  ControlError,
  type CallDetail,
  type CallSummary,
  type InjectResultRequest,
  type InjectedResult,
  type ParticipantSummary,
  type PlacedCall,
} from './control-client.js';
export type { ControlInfo } from './control-types.js';
export type { EndpointBehaviour, InviteBehaviour, ScriptStep } from './endpoints.js';
export type { Faults, InjectedFaults } from './faults.js';
export { seededRandom } from './faults.js';
export { INJECTABLE, type InjectableOperation } from './injections.js';
export { Results, resultCodes, type ResultInformation } from './result-codes.js';
export type { SubscriptionInfo, SubscriptionStatus } from './event-grid.js';
export type {
  AdvancedFilter,
  EventGridSubscriber,
  EventSchema,
  SubscriptionFilter,
} from './event-grid-filters.js';
export { defaultPhoneNumbers, type UnlistedNumbers } from './phone-numbers.js';
export type { TokenCheck } from './identities.js';
export type { TimelineEntry } from './monitor.js';
export type { Logger, LogLevel } from './logger.js';
export type { MediaTiming } from './media.js';
export type { CallbackDeliveryOptions, CallbackOrdering } from './callbacks.js';
export { createJsonLogger } from './logger.js';
export { signRequest, verifyHmac } from './signing.js';
export { emulatedCognitiveServicesEndpoint } from './cognitive-services.js';
