/**
 * Router rules from a file as a dispatcher layer, for the in-process front ends (`loom run`,
 * `loom mcp`, pipelines): `--router-rules FILE` or `router_rules:` in a gateway config.
 */
import { loadRouterRules } from "../config/loaders.js";
import type { RouterRules, WorkerConfig } from "../config/types.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import type { TaskMessage } from "../worker/messages.js";
import type { LimiterStore } from "./limiter-store.js";
import { estimatePayloadTokens, RouterDispatcher, type RouterLogger } from "./router-dispatcher.js";

/**
 * Wraps a dispatcher in another that keeps the Dispatcher contract. `workers`, when the caller
 * has them, are the worker configs the inner dispatcher runs.
 */
export type DispatcherLayer = (inner: Dispatcher, workers?: ReadonlyMap<string, WorkerConfig>) => Dispatcher;

/** Options of {@link routerLayer} and {@link loadRouterLayer}. */
export interface RouterLayerOptions {
  /** Worker configs known in-process: give tasks without a tier their `default_model_tier`. */
  workers?: ReadonlyMap<string, WorkerConfig>;
  /** @default a new MemoryLimiterStore per layer */
  store?: LimiterStore;
  /** @default warnings on stderr */
  logger?: RouterLogger;
}

/**
 * A layer applying `rules` around any dispatcher. With `workers` (given here or to the layer), a task's tier defaults to its
 * worker's `default_model_tier` and its token estimate includes the worker's system prompt.
 *
 * @example const layer = routerLayer(rules, { workers }); const dispatcher = layer(new LocalDispatcher({ workers }));
 */
export function routerLayer(rules: RouterRules, options: RouterLayerOptions = {}): DispatcherLayer {
  return (inner, given) => {
    const workers = given ?? options.workers;
    const estimate = (task: TaskMessage): number =>
      estimatePayloadTokens(task) +
      Math.ceil((workers?.get(task.worker_type)?.systemPrompt?.length ?? 0) / 4);
    return new RouterDispatcher(inner, {
      rules,
      estimateTokens: estimate,
      defaultTier: (workerType) => workers?.get(workerType)?.defaultModelTier,
      ...(options.store ? { store: options.store } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  };
}

/**
 * Loads a router rules file (validated like `loom validate` does) and returns its layer.
 *
 * @throws ConfigValidationError listing every issue of the file.
 */
export async function loadRouterLayer(
  file: string,
  options: RouterLayerOptions = {},
): Promise<DispatcherLayer> {
  return routerLayer(await loadRouterRules(file), options);
}
