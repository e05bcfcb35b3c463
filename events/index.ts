/** The event bus: the port, its two adapters and the choice between them (ARCHITECTURE.md, "Change path"). */
export * from './bus.js';
export { MemoryEventBus, type MemoryEventBusOptions } from './memory.js';
export { RedisEventBus, DEFAULT_REDIS_URL, type RedisEventBusOptions } from './redis.js';
export { createEventBus, type EventBusEnv } from './create.js';
export type { BusErrorHandler, CommonBusOptions } from './options.js';
export {
  deadLetterEvent,
  isDeadLetterEvent,
  withoutDeadLetter,
  type DeadLetterAttributes,
  type DeadLetterEvent,
} from './deadLetter.js';
export * from './versions.js';
export { PermanentFailure, isPermanentFailure } from './permanentFailure.js';
