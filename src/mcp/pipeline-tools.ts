/**
 * Pipeline tools (guide Part 12, "Pipeline tools"): one MCP tool per pipeline entry. A call is one
 * goal through a GoalRunner (a PipelineRunner in-process, the orchestrators on the mesh); stage events become progress notifications (total = the
 * number of stages) and request-scoped logs; the result holds every stage's final output plus a
 * compact timeline.
 */
import { randomUUID } from "node:crypto";
import type { McpPipelineEntry, PipelineConfig, WorkerConfig } from "../config/types.js";
import type { GoalRunner } from "../pipeline/goal-runner.js";
import type { Goal, PipelineEvent, PipelineResult } from "../pipeline/index.js";
import { pipelineInputSchema } from "../pipeline/input-schema.js";
import type { ToolOutcome, ToolRunContext, ToolSpec } from "./tool-spec.js";

/** The structured result of a pipeline tool call. */
export function pipelineOutput(result: PipelineResult): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  const stages: Record<string, string> = {};
  for (const [name, outcome] of Object.entries(result.stages)) {
    stages[name] = outcome.status;
    if (outcome.output) outputs[name] = outcome.output;
  }
  return {
    goal_id: result.goal_id,
    pipeline: result.pipeline,
    status: result.status,
    outputs,
    stages,
    timeline: result.timeline.map((t) => ({
      stage: t.stage,
      status: t.status,
      start_ms: t.start_ms,
      end_ms: t.end_ms,
    })),
    duration_ms: result.duration_ms,
  };
}

/** A completed goal is the output; anything else an error naming the stage and the code. */
export function pipelineOutcome(result: PipelineResult): ToolOutcome {
  const output = pipelineOutput(result);
  if (result.status === "completed") return { ok: true, output };
  const error = result.error;
  const code =
    error?.code ??
    (result.status === "timeout" ? "timeout" : result.status === "cancelled" ? "cancelled" : "internal");
  const where = error?.stage && !error.message.includes(`'${error.stage}'`) ? `stage '${error.stage}': ` : "";
  return {
    ok: false,
    error: {
      code,
      message: `pipeline '${result.pipeline}' ${result.status}: ${where}${error?.message ?? "no error message"}`,
      details: {
        ...(error?.details ?? {}),
        ...(error?.stage ? { stage: error.stage } : {}),
        stages: output.stages,
      },
    },
    output,
  };
}

/** Turns stage events into progress and logs for one call. */
function reportEvent(pipeline: string, event: PipelineEvent, context: ToolRunContext): void {
  const count = `${event.completed}/${event.total}`;
  const data = { pipeline, stage: event.stage };
  if (event.type === "stage_failed") {
    const message = `stage '${event.stage}' ${event.status ?? "failed"}: ${event.error?.message ?? ""}`;
    context.log("error", message, { ...data, code: event.error?.code });
    return;
  }
  const detail = {
    stage_started: `started (${event.worker_type})`,
    stage_completed: `completed in ${event.duration_ms ?? 0} ms (${count})`,
    stage_skipped: `skipped: ${event.reason ?? "condition not met"} (${count})`,
  }[event.type];
  context.log("info", `stage '${event.stage}' ${detail}`, data);
  const verb = event.type.slice("stage_".length);
  context.sendProgress({
    progress: event.completed,
    total: event.total,
    message: `stage '${event.stage}' ${verb}`,
  });
}

/**
 * One pipeline tool, named by the entry (a pipeline has no natural tool name). `workers` are the
 * configs its stages name; they type the input schema.
 */
export function pipelineTool(
  entry: McpPipelineEntry,
  config: PipelineConfig,
  workers: ReadonlyMap<string, WorkerConfig>,
  runner: GoalRunner,
): ToolSpec {
  const stageNames = config.stages.map((s) => s.name).join(", ");
  return {
    name: entry.name,
    description: entry.description ?? `Runs the '${config.name}' pipeline (stages: ${stageNames}).`,
    inputSchema: pipelineInputSchema(config, workers),
    annotations: {
      openWorldHint: config.stages.some((s) => workers.get(s.workerType)?.workerKind === "llm"),
    },
    run: async (args, context) => {
      const goal: Goal = {
        goal_id: randomUUID(),
        context: args,
        ...(typeof args.instruction === "string" ? { instruction: args.instruction } : {}),
      };
      context.log("info", `pipeline '${config.name}' started (goal ${goal.goal_id})`, {
        pipeline: config.name,
      });
      const result = await runner.run(goal, {
        signal: context.signal,
        onEvent: (event) => reportEvent(config.name, event, context),
      });
      context.log(
        result.status === "completed" ? "info" : "error",
        `pipeline '${config.name}' ${result.status}`,
        {
          pipeline: config.name,
          duration_ms: result.duration_ms,
        },
      );
      return pipelineOutcome(result);
    },
  };
}
