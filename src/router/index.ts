/**
 * Router rules (guide Part 7) as a layer around any Dispatcher: tier overrides, per-tier rate
 * limits, dead letters. No transport here: the in-process front ends and a router process on the
 * mesh use the same layer with different limiter stores.
 */
export { type DispatcherLayer, loadRouterLayer, type RouterLayerOptions, routerLayer } from "./layer.js";
export {
  type ChargeResult,
  type LimiterStore,
  MemoryLimiterStore,
  type MemoryLimiterStoreOptions,
  type SlotLease,
} from "./limiter-store.js";
export {
  CONCURRENCY_RETRY_AFTER_MS,
  estimatePayloadTokens,
  RouterDispatcher,
  type RouterDispatcherOptions,
  type RouterLogger,
} from "./router-dispatcher.js";
