/**
 * `executeTask` — the one seam every front end shares (DESIGN.md "One seam"): it runs ONE task
 * for ONE worker config in-process and always resolves with a `TaskResult`. Task-level failures
 * are failed results with a stable code, never exceptions.
 */
import type { WorkerConfig } from "../config/types.js";
import { formatViolations, validateAgainstSchema } from "../contracts/validate.js";
import { errorMessage, isAbortError, LoomError } from "../errors.js";
import { extractJson } from "../llm/json-extract.js";
import { abortError } from "../llm/retry.js";
import { type LoomSettings, loadSettings } from "../llm/settings.js";
import { type ResolvedTier, resolveTier, unreachableMessage } from "../llm/tiers.js";
import { type SpanHandle, startSpan, withSpan } from "../telemetry/tracer.js";
import type { TaskProgress } from "./dispatcher.js";
import { resolveFileRefs } from "./file-refs.js";
import { buildKnowledgeContext } from "./knowledge.js";
import { type LlmRunState, runLlm } from "./llm-worker.js";
import type { TaskError, TaskMessage, TaskResult } from "./messages.js";
import { runProcessor } from "./processor-runner.js";
import { applySiloUpdates, extractSiloUpdates } from "./silos.js";
import { TaskAbort } from "./task-abort.js";
import { loadTools } from "./tool-loader.js";

/** What {@link executeTask} needs besides the task. */
export interface ExecuteContext {
  worker: WorkerConfig;
  /** Tier → backend settings. @default loadSettings() for the current directory, read once */
  settings?: LoomSettings;
  /** Aborting it fails the task with `cancelled`. */
  signal?: AbortSignal;
  /** Aborted when the dispatcher running the task closes; the task fails with `cancelled`. */
  closing?: AbortSignal;
  onProgress?: (progress: TaskProgress) => void;
  /** Who holds the backends and tool providers this task opens (`releaseProcessors`, `releaseTools`). @default none */
  owner?: object;
}

/** The guide's default `timeout_seconds`, for configs built by hand without one. */
const DEFAULT_TIMEOUT_SECONDS = 60;

/** What a run produced before it finished or failed (so a failure still reports usage). */
interface RunState extends LlmRunState {
  resolved?: ResolvedTier;
}

/**
 * Runs one task: validate the payload against `input_schema` → resolve file refs → knowledge +
 * system prompt → the tier's LLM (with tools) or the processor backend → JSON extraction → strip
 * `silo_updates` → validate against `output_schema` → apply silo updates. `timeout_seconds` is
 * enforced with an AbortSignal down to the HTTP call.
 *
 * @example
 * const result = await executeTask({ task_id: "t1", worker_type: "entity_extractor", payload: { text } }, { worker });
 * if (result.status === "failed") console.error(result.error?.code, result.error?.message);
 */
export async function executeTask(task: TaskMessage, ctx: ExecuteContext): Promise<TaskResult> {
  const started = performance.now();
  const state: RunState = { usage: { input: 0, output: 0 }, model: null, text: null, rounds: 0 };
  const seconds = ctx.worker.timeoutSeconds > 0 ? ctx.worker.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  const abort = new TaskAbort(seconds * 1000);
  abort.follow(ctx.signal);
  abort.follow(ctx.closing);
  // Under the span the task message carries (another process, or a pipeline stage), else the current one.
  const span = startSpan(
    "loom.task",
    {
      "loom.task_id": task.task_id,
      "loom.worker_type": task.worker_type,
      "loom.worker_kind": ctx.worker.workerKind,
      "loom.goal_id": task.goal_id,
      "loom.attempt": task.attempt,
    },
    task.trace_context,
  );
  const result = (
    status: "completed" | "failed",
    output: Record<string, unknown> | null,
    error: TaskError | null,
  ): TaskResult => ({
    task_id: task.task_id,
    worker_type: task.worker_type,
    status,
    output,
    error,
    model_used: state.model,
    token_usage: state.usage,
    latency_ms: Math.round(performance.now() - started),
    raw_response: state.text,
    ...(task.parent_task_id === undefined ? {} : { parent_task_id: task.parent_task_id }),
    ...(task.goal_id === undefined ? {} : { goal_id: task.goal_id }),
  });
  try {
    const output = await withSpan(span, () => untilAborted(run(task, ctx, state, abort), abort));
    return result("completed", output, null);
  } catch (error) {
    const failure = toTaskError(error, ctx, abort, state);
    span.recordError(failure.code, failure.message);
    return result("failed", null, failure);
  } finally {
    abort.release();
    endTaskSpan(span, state);
  }
}

function endTaskSpan(span: SpanHandle, state: RunState): void {
  span.setAttributes({
    "loom.tier": state.resolved?.tier,
    "loom.model": state.model ?? undefined,
    "gen_ai.usage.input_tokens": state.usage.input,
    "gen_ai.usage.output_tokens": state.usage.output,
  });
  span.end();
}

async function run(
  task: TaskMessage,
  ctx: ExecuteContext,
  state: RunState,
  abort: TaskAbort,
): Promise<Record<string, unknown>> {
  const { worker } = ctx;
  abort.throwIfAborted();
  const inputViolations = validateAgainstSchema(worker.inputSchema, task.payload);
  if (inputViolations.length > 0) {
    throw new LoomError(
      "invalid_input",
      `input for worker '${worker.name}' does not match its input_schema: ${formatViolations(inputViolations)}`,
      { details: { violations: inputViolations } },
    );
  }

  if (worker.workerKind === "processor") {
    const span = startSpan("processor.call", { "loom.worker_type": worker.name });
    try {
      const processed = await runProcessor(worker, task.payload, {
        abort,
        ...(ctx.owner ? { owner: ctx.owner } : {}),
      });
      state.model = processed.model_used ?? null;
      span.setAttributes({ "loom.model": state.model ?? undefined });
      return checkOutput(worker, processed.output, state);
    } catch (error) {
      span.recordError(error instanceof LoomError ? error.code : "internal", errorMessage(error));
      throw error;
    } finally {
      span.end();
    }
  }

  const payload = await resolveFileRefs(worker, task.payload);
  const knowledge = await buildKnowledgeContext(worker);
  const system = [knowledge, worker.systemPrompt ?? ""].filter((part) => part.trim() !== "").join("\n\n");
  const tools = await loadTools(worker, ctx.owner);
  const settings = ctx.settings ?? (await defaultSettings());
  state.resolved = resolveTier(task.tier ?? worker.defaultModelTier, settings);
  await runLlm({
    resolved: state.resolved,
    system,
    payload,
    outputSchema: worker.outputSchema,
    maxOutputTokens: worker.maxOutputTokens,
    inputBudget: { worker: worker.name, maxInputTokens: worker.maxInputTokens },
    tools,
    signal: abort.signal,
    state,
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
  });

  const text = state.text ?? "";
  const extracted = extractJson(text);
  if (
    !extracted.ok ||
    typeof extracted.value !== "object" ||
    extracted.value === null ||
    Array.isArray(extracted.value)
  ) {
    const cutOff =
      state.stopReason === "length"
        ? ` (the reply was cut off at max_output_tokens=${worker.maxOutputTokens})`
        : "";
    const reason = extracted.ok ? "the reply's JSON is not an object" : extracted.reason;
    throw new LoomError(
      "invalid_output",
      `worker '${worker.name}': the model's reply is not a JSON object: ${reason}${cutOff}`,
      { category: "upstream", details: { violations: [{ path: "(root)", message: reason }] } },
    );
  }
  const { output, updates } = extractSiloUpdates(extracted.value as Record<string, unknown>);
  const checked = checkOutput(worker, output, state);
  await applySiloUpdates(worker, updates);
  return checked;
}

function checkOutput(
  worker: WorkerConfig,
  output: Record<string, unknown>,
  state: RunState,
): Record<string, unknown> {
  const violations = validateAgainstSchema(worker.outputSchema, output);
  if (violations.length > 0) {
    throw new LoomError(
      "invalid_output",
      `output of worker '${worker.name}' does not match its output_schema: ${formatViolations(violations)}`,
      { category: "upstream", details: { violations, ...(state.text === null ? { output } : {}) } },
    );
  }
  return output;
}

function toTaskError(error: unknown, ctx: ExecuteContext, abort: TaskAbort, state: RunState): TaskError {
  const { worker } = ctx;
  if (ctx.signal?.aborted) {
    return { code: "cancelled", message: `task for worker '${worker.name}' was cancelled by the caller` };
  }
  if (ctx.closing?.aborted) {
    return {
      code: "cancelled",
      message: `task for worker '${worker.name}' was stopped: its dispatcher closed`,
    };
  }
  if (abort.timedOut) {
    return {
      code: "timeout",
      message: `worker '${worker.name}' did not finish within timeout_seconds=${worker.timeoutSeconds}`,
      details: { timeout_seconds: worker.timeoutSeconds },
    };
  }
  if (error instanceof LoomError) {
    const unreachable =
      error.code === "llm_error" && error.details.reason === "unreachable" && state.resolved;
    const message = unreachable && state.resolved ? unreachableMessage(state.resolved) : error.message;
    return { code: error.code, message, details: error.details };
  }
  if (isAbortError(error)) {
    return {
      code: "cancelled",
      message: `task for worker '${worker.name}' was aborted: ${errorMessage(error)}`,
    };
  }
  return { code: "internal", message: `internal error in worker '${worker.name}': ${errorMessage(error)}` };
}

/**
 * Rejects with the abort reason as soon as the task is stopped, even if `promise` ignores signals.
 * `promise` is always observed, so its later rejection can never become an unhandled rejection
 * (which would end the whole process: issue #11).
 */
function untilAborted<T>(promise: Promise<T>, abort: TaskAbort): Promise<T> {
  if (abort.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortError(abort.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const stopListening = abort.onAbort(() => reject(abortError(abort.reason)));
    promise.then(
      (value) => {
        stopListening();
        resolve(value);
      },
      (error: unknown) => {
        stopListening();
        reject(error);
      },
    );
  });
}

const settingsByCwd = new Map<string, Promise<LoomSettings>>();

/** Settings for the current directory, read once per directory and process. */
function defaultSettings(): Promise<LoomSettings> {
  const cwd = process.cwd();
  let settings = settingsByCwd.get(cwd);
  if (!settings) {
    settings = loadSettings({ cwd });
    settingsByCwd.set(cwd, settings);
    settings.catch(() => settingsByCwd.delete(cwd));
  }
  return settings;
}
