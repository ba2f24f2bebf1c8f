/**
 * Worker tools (guide Part 12, "Worker tools"): one MCP tool per worker entry. The worker's
 * input_schema and output_schema are the tool's schemas, verbatim; a call is one task through the
 * dispatcher, and its TaskResult becomes the tool result.
 */
import { randomUUID } from "node:crypto";
import type { McpWorkerEntry, WorkerConfig } from "../config/types.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import type { TaskResult } from "../worker/messages.js";
import type { ToolOutcome, ToolRunContext, ToolSpec } from "./tool-spec.js";

/**
 * The description a tool gets: the entry's override, else the worker's `description`, else the
 * first line of its system prompt (the guide's order).
 */
export function workerDescription(worker: WorkerConfig, override?: string): string {
  const firstLine = worker.systemPrompt
    ?.split("\n")
    .map((line) => line.trim())
    .find((line) => line !== "");
  return override ?? worker.description ?? firstLine ?? `Runs the '${worker.name}' worker.`;
}

/** A TaskResult as a tool outcome: the validated output, or the error's code and message. */
export function taskOutcome(result: TaskResult): ToolOutcome {
  if (result.status === "completed" && result.output) return { ok: true, output: result.output };
  const error = result.error ?? {
    code: "internal" as const,
    message: `worker '${result.worker_type}' returned no output and no error`,
  };
  return {
    ok: false,
    error: {
      code: error.code,
      message: error.message,
      details: { ...(error.details ?? {}), worker: result.worker_type, task_id: result.task_id },
    },
  };
}

/**
 * One worker tool. The tool name is the entry's `name`, else the worker's; LLM workers are marked
 * `openWorldHint` (their answers come from a model, not a closed data set).
 *
 * @example
 * const tool = workerTool({ config: file }, await loadWorkerConfig(file), dispatcher);
 */
export function workerTool(entry: McpWorkerEntry, worker: WorkerConfig, dispatcher: Dispatcher): ToolSpec {
  const name = entry.name ?? worker.name;
  const isLlm = worker.workerKind === "llm";
  return {
    name,
    description: workerDescription(worker, entry.description),
    inputSchema: worker.inputSchema,
    outputSchema: worker.outputSchema,
    annotations: isLlm ? { openWorldHint: true } : { openWorldHint: false },
    run: async (args, context) => taskOutcome(await runWorkerTask(name, worker, args, dispatcher, context)),
  };
}

/** Dispatches one task for `worker`, forwarding its progress notes as logs and progress. */
export async function runWorkerTask(
  tool: string,
  worker: WorkerConfig,
  payload: Record<string, unknown>,
  dispatcher: Dispatcher,
  context: ToolRunContext,
): Promise<TaskResult> {
  let notes = 0;
  context.log("info", `worker '${worker.name}' started`, { tool, worker: worker.name });
  const result = await dispatcher.dispatch(
    {
      task_id: randomUUID(),
      worker_type: worker.name,
      payload,
      metadata: { source: "mcp", tool },
      created_at: new Date().toISOString(),
    },
    {
      signal: context.signal,
      onProgress: (progress) => {
        notes += 1;
        context.log("info", progress.message, { tool, worker: worker.name });
        context.sendProgress({ progress: notes, message: progress.message });
      },
    },
  );
  if (result.status === "completed") {
    context.log("info", `worker '${worker.name}' finished in ${result.latency_ms} ms`, {
      tool,
      worker: worker.name,
      model: result.model_used,
    });
  } else {
    context.log("error", `worker '${worker.name}' failed: ${result.error?.code}: ${result.error?.message}`, {
      tool,
      worker: worker.name,
    });
  }
  return result;
}
