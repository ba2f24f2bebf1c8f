/**
 * The input schema of a pipeline tool (issue 7, "Pipelines"): every `goal.context.X` a stage reads
 * becomes a property, typed from the input_schema of the worker that consumes it, and required
 * unless only conditional stages read it. A stage reading `goal.instruction` adds an
 * `instruction` property.
 */
import { parsePath } from "../config/mapping-path.js";
import type { JsonSchema, PipelineConfig, WorkerConfig } from "../config/types.js";

interface ContextUse {
  stage: string;
  worker: string;
  field: string;
  conditional: boolean;
  /** The worker's schema for the field, when the whole context value maps onto it. */
  schema?: JsonSchema;
}

/** The goal context keys a pipeline reads and who reads them, in stage order. */
function contextUses(config: PipelineConfig, workers: ReadonlyMap<string, WorkerConfig>) {
  const uses = new Map<string, ContextUse[]>();
  for (const stage of config.stages) {
    const worker = workers.get(stage.workerType);
    const properties = (worker?.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [field, path] of Object.entries(stage.inputMapping)) {
      const segments = parsePath(path) ?? [];
      if (segments[0] !== "goal") continue;
      const isInstruction = segments[1] === "instruction" && segments.length === 2;
      const isContext = segments[1] === "context" && typeof segments[2] === "string";
      if (!isInstruction && !isContext) continue;
      const key = isInstruction ? "instruction" : String(segments[2]);
      const whole = isInstruction || segments.length === 3;
      const schema = whole ? properties[field] : undefined;
      const use: ContextUse = {
        stage: stage.name,
        worker: stage.workerType,
        field,
        conditional: stage.condition !== undefined,
        ...(schema ? { schema } : {}),
      };
      uses.set(key, [...(uses.get(key) ?? []), use]);
    }
  }
  return uses;
}

/** A property schema: the consuming worker's, with a description saying where the value goes. */
function propertySchema(key: string, uses: ContextUse[]): JsonSchema {
  const typed = uses.find((u) => u.schema !== undefined);
  const consumers = uses.map((u) => `${u.stage} → ${u.worker}.${u.field}`).join(", ");
  if (!typed?.schema) {
    return { description: `Goal context '${key}' (read by ${consumers}).` };
  }
  const own = typeof typed.schema.description === "string" ? `${typed.schema.description} ` : "";
  return { ...typed.schema, description: `${own}(read by ${consumers})`.trim() };
}

/**
 * Builds the tool input schema of `config`, using `workers` (the configs its stages name) for
 * types.
 *
 * @example
 * pipelineInputSchema(analysisPipeline, workers)
 * // { type: "object", properties: { file_ref: { type: "string", ... } }, required: ["file_ref"] }
 */
export function pipelineInputSchema(
  config: PipelineConfig,
  workers: ReadonlyMap<string, WorkerConfig>,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, uses] of contextUses(config, workers)) {
    properties[key] = propertySchema(key, uses);
    if (uses.some((u) => !u.conditional)) required.push(key);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}
