/**
 * Router rules (guide Part 7) as a layer around any {@link Dispatcher}: `tier_overrides` force a
 * worker onto a tier, `rate_limits` cap each tier's tasks in flight (`max_concurrent`) and tokens
 * (`tokens_per_minute`, a token bucket charged with an estimate before dispatch and corrected with
 * the task's real `token_usage` after). A task over a limit is a dead letter: a failed result with
 * code `rate_limited` and `details.retry_after_ms`, returned at once — never queued. The same
 * layer runs in-process (`--router-rules`, `router_rules:`) and in a router process on the mesh,
 * where the {@link LimiterStore} is shared.
 */
import { type RouterRules, TIERS, type Tier } from "../config/types.js";
import { ErrorCode } from "../errors.js";
import type { Dispatcher, DispatchOptions } from "../worker/dispatcher.js";
import { failedResult, type TaskError, type TaskMessage, type TaskResult } from "../worker/messages.js";
import { type LimiterStore, MemoryLimiterStore } from "./limiter-store.js";

/** About four characters per token — the same rough estimate the worker's input budget uses. */
const CHARS_PER_TOKEN = 4;

/** The retry hint of a task refused by `max_concurrent`: no task's end can be predicted. */
export const CONCURRENCY_RETRY_AFTER_MS = 1000;

/** What the layer logs: which override applied (debug) and every refusal (warn). A pino logger fits. */
export interface RouterLogger {
  debug(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
}

/** Options of {@link RouterDispatcher}. */
export interface RouterDispatcherOptions {
  /** The rules, as `loadRouterRules(file)` gives them. */
  rules: RouterRules;
  /** Where limiter state lives. @default a new MemoryLimiterStore (this process only) */
  store?: LimiterStore;
  /**
   * The tier a task without `tier` (and without an override) runs on, for its rate limits;
   * in-process this is the worker's `default_model_tier`. @default () => "standard" (the guide's default)
   */
  defaultTier?: (workerType: string) => Tier | undefined;
  /** Tokens charged before dispatch. @default the payload's JSON length / 4 */
  estimateTokens?: (task: TaskMessage) => number;
  /** @default one line on stderr per warning (and per debug note with LOOM_LOG_LEVEL=debug) */
  logger?: RouterLogger;
}

/** Estimates a task's tokens from its payload: ~4 characters per token of its JSON. */
export function estimatePayloadTokens(task: TaskMessage): number {
  return Math.ceil(JSON.stringify(task.payload ?? {}).length / CHARS_PER_TOKEN);
}

/** A slot outlives its task's deadline by a minute at most; without a deadline, ten minutes. */
function leaseExpiry(task: TaskMessage): number {
  const deadline = task.deadline === undefined ? Number.NaN : Date.parse(task.deadline);
  return Number.isNaN(deadline) ? Date.now() + 10 * 60_000 : deadline + 60_000;
}

const stderrLogger: RouterLogger = {
  debug: (data, message) => {
    const level = process.env.LOOM_LOG_LEVEL;
    if (level === "debug" || level === "trace") {
      process.stderr.write(`loom router: ${message} ${JSON.stringify(data)}\n`);
    }
  },
  warn: (data, message) => process.stderr.write(`loom router: ${message} ${JSON.stringify(data)}\n`),
};

/**
 * Applies router rules to every task before the inner dispatcher sees it. `close()` closes the
 * inner dispatcher.
 *
 * @example
 * const rules = await loadRouterRules("configs/router_rules.yaml");
 * const dispatcher = new RouterDispatcher(new LocalDispatcher({ workers }), { rules });
 * const result = await dispatcher.dispatch(task); // error.code "rate_limited" when over a limit
 */
export class RouterDispatcher implements Dispatcher {
  readonly #inner: Dispatcher;
  readonly #rules: RouterRules;
  readonly #store: LimiterStore;
  readonly #defaultTier: (workerType: string) => Tier | undefined;
  readonly #estimate: (task: TaskMessage) => number;
  readonly #logger: RouterLogger;

  constructor(inner: Dispatcher, options: RouterDispatcherOptions) {
    this.#inner = inner;
    this.#rules = options.rules;
    this.#store = options.store ?? new MemoryLimiterStore();
    this.#defaultTier = options.defaultTier ?? (() => undefined);
    this.#estimate = options.estimateTokens ?? estimatePayloadTokens;
    this.#logger = options.logger ?? stderrLogger;
  }

  async dispatch(task: TaskMessage, options: DispatchOptions = {}): Promise<TaskResult> {
    const unroutable = this.#unroutable(task);
    if (unroutable) {
      this.#logger.warn({ task_id: task.task_id, worker_type: task.worker_type }, unroutable.message);
      return failedResult(task, unroutable);
    }
    const routed = this.#applyOverride(task);
    const tier = routed.tier ?? this.#defaultTier(task.worker_type) ?? "standard";
    const limit = this.#rules.rateLimits[tier] ?? {};

    const maxConcurrent = limit.maxConcurrent;
    const lease = { id: task.task_id, expiresAtMs: leaseExpiry(task) };
    if (maxConcurrent !== undefined && !(await this.#store.tryAcquireSlot(tier, maxConcurrent, lease))) {
      return this.#refuse(routed, tier, {
        code: ErrorCode.RateLimited,
        message:
          `worker '${task.worker_type}' refused: tier '${tier}' already runs max_concurrent=${maxConcurrent} ` +
          `tasks (router rules${this.#where()}); retry after ~${CONCURRENCY_RETRY_AFTER_MS} ms`,
        details: {
          tier,
          limit: "max_concurrent",
          max_concurrent: maxConcurrent,
          retry_after_ms: CONCURRENCY_RETRY_AFTER_MS,
        },
      });
    }
    const release = async (): Promise<void> => {
      if (maxConcurrent !== undefined) await this.#store.releaseSlot(tier, lease);
    };

    const perMinute = limit.tokensPerMinute;
    const estimate = Math.max(1, Math.ceil(this.#estimate(routed)));
    const charged = perMinute === undefined ? 0 : Math.min(estimate, perMinute);
    if (perMinute !== undefined) {
      const taken = await this.#store.tryCharge(tier, estimate, perMinute);
      if (!taken.ok) {
        await release();
        return this.#refuse(routed, tier, {
          code: ErrorCode.RateLimited,
          message:
            `worker '${task.worker_type}' refused: tier '${tier}' is out of tokens_per_minute=${perMinute} ` +
            `(needs ~${estimate} tokens, ${taken.available} left; router rules${this.#where()}); ` +
            `retry after ${taken.retryAfterMs} ms`,
          details: {
            tier,
            limit: "tokens_per_minute",
            tokens_per_minute: perMinute,
            estimated_tokens: estimate,
            available_tokens: taken.available,
            retry_after_ms: taken.retryAfterMs,
          },
        });
      }
    }

    try {
      const result = await this.#inner.dispatch(routed, options);
      if (perMinute !== undefined) {
        const used = result.token_usage.input + result.token_usage.output;
        await this.#store.adjust(tier, used - charged, perMinute);
      }
      return result;
    } finally {
      await release();
    }
  }

  /** Closes the inner dispatcher (the layer holds nothing of its own). */
  async close(): Promise<void> {
    await this.#inner.close?.();
  }

  #applyOverride(task: TaskMessage): TaskMessage {
    const override = Object.hasOwn(this.#rules.tierOverrides, task.worker_type)
      ? this.#rules.tierOverrides[task.worker_type]
      : undefined;
    if (override === undefined) return task;
    this.#logger.debug(
      { task_id: task.task_id, worker_type: task.worker_type, requested: task.tier ?? null, tier: override },
      `tier override: worker '${task.worker_type}' runs on tier '${override}'`,
    );
    return { ...task, tier: override };
  }

  #unroutable(task: TaskMessage): TaskError | undefined {
    if (typeof task.worker_type !== "string" || task.worker_type.trim() === "") {
      return {
        code: ErrorCode.Unroutable,
        message: "task has no worker_type: the router cannot tell which worker should take it",
        details: { worker_type: task.worker_type ?? null },
      };
    }
    if (task.tier !== undefined && !(TIERS as readonly string[]).includes(task.tier)) {
      return {
        code: ErrorCode.Unroutable,
        message: `task for worker '${task.worker_type}' asks for unknown tier '${String(task.tier)}' (tiers: ${TIERS.join(", ")})`,
        details: { worker_type: task.worker_type, tier: task.tier, tiers: [...TIERS] },
      };
    }
    return undefined;
  }

  #refuse(task: TaskMessage, tier: Tier, error: TaskError): TaskResult {
    this.#logger.warn(
      { task_id: task.task_id, worker_type: task.worker_type, tier, ...error.details },
      error.message,
    );
    return failedResult(task, error);
  }

  #where(): string {
    return this.#rules.sourcePath ? ` ${this.#rules.sourcePath}` : "";
  }
}
