/**
 * Checks one path a stage reads (an input_mapping value or its condition's path): its syntax,
 * the stage or goal field it starts at, the producer's output field it names, and whether the
 * field's type fits the consumer's input.
 */
import { parsePath } from "../../config/mapping-path.js";
import type { GraphProblem, WorkerSchemas } from "./model.js";
import type { ReadStage } from "./read-stages.js";
import { schemaTypes, typeFit, walkSchema } from "./schema-walk.js";
import { suggest } from "./suggest.js";

/** The fields of a goal a path may read after `goal.` (as src/config/pipeline-rules.ts). */
const GOAL_FIELDS = ["context", "instruction", "goal_id"];

/** What a check needs to know about the rest of the pipeline. */
export interface ReferenceContext {
  stages: ReadonlyMap<string, ReadStage>;
  workers: ReadonlyMap<string, WorkerSchemas>;
}

/** The stage a path reads from (when it names one of the pipeline) and what is wrong with it. */
export interface ReferenceCheck {
  source?: string;
  problems: GraphProblem[];
}

/**
 * Checks `path`, read by `consumer` into its input `field` (or, with `field` = "condition", by
 * its condition). Problems about a known producer carry the edge.
 */
export function checkReference(
  consumer: ReadStage,
  field: string,
  path: string,
  ctx: ReferenceContext,
): ReferenceCheck {
  const where =
    field === "condition" ? `stage '${consumer.name}' condition` : `${consumer.name}.input_mapping.${field}`;
  const problem = (message: string, severity: GraphProblem["severity"] = "error", from?: string) => ({
    severity,
    message: `${where}: ${message}`,
    stage: consumer.name,
    field,
    ...(from !== undefined ? { edge: { from, to: consumer.name } } : {}),
  });
  const segments = parsePath(path);
  if (!segments)
    return {
      problems: [
        problem(
          `malformed path '${path}': expected dotted names like goal.context.file_ref or extract.output.text_preview`,
        ),
      ],
    };
  const [first, second] = segments;
  if (first === "goal") {
    if (typeof second === "string" && GOAL_FIELDS.includes(second)) return { problems: [] };
    return {
      problems: [
        problem(
          `'${path}' reads ${second === undefined ? "the whole goal" : `goal.${String(second)}`}, which a goal does not have (a goal has ${GOAL_FIELDS.join(", ")}, e.g. goal.context.file_ref)`,
        ),
      ],
    };
  }
  const source = String(first);
  const producer = ctx.stages.get(source);
  if (!producer) {
    const names = [...ctx.stages.keys()];
    return {
      problems: [
        problem(
          `'${path}' reads unknown stage '${source}'${suggest(source, ["goal", ...names])} (a path starts with goal or a stage: ${["goal", ...names].join(", ")})`,
        ),
      ],
    };
  }
  if (second !== "output")
    return {
      source,
      problems: [
        problem(
          `'${path}' does not read ${source}'s output: a stage's values are under output, e.g. ${source}.output.${typeof second === "string" ? second : "field"}`,
          "error",
          source,
        ),
      ],
    };
  const schemas = ctx.workers.get(producer.workerType);
  if (!schemas) return { source, problems: [] };
  const found = walkSchema(schemas.outputSchema, segments.slice(2));
  if (found.kind === "missing") {
    const at = [source, "output", ...segments.slice(2, 2 + found.depth).map(String)].join(".");
    const list = found.available.length > 0 ? found.available.join(", ") : "none";
    return {
      source,
      problems: [
        problem(
          found.depth === 0
            ? `${producer.workerType} (stage ${source}) has no output field '${found.name}'${suggest(found.name, found.available)} (its output fields: ${list})`
            : `${producer.workerType} (stage ${source}) has no field '${found.name}' in ${at}${suggest(found.name, found.available)} (fields there: ${list})`,
          "error",
          source,
        ),
      ],
    };
  }
  if (found.kind === "unknown" || field === "condition") return { source, problems: [] };
  const mismatch = typeProblem(consumer, field, path, found.schema, ctx);
  return { source, problems: mismatch ? [problem(mismatch.message, mismatch.severity, source)] : [] };
}

/** A type mismatch between the producer's field and the consumer's input, if both declare a type. */
function typeProblem(
  consumer: ReadStage,
  field: string,
  path: string,
  produced: Record<string, unknown>,
  ctx: ReferenceContext,
): { message: string; severity: GraphProblem["severity"] } | undefined {
  const input = ctx.workers.get(consumer.workerType)?.inputSchema.properties;
  const inputs = input !== null && typeof input === "object" ? (input as Record<string, unknown>) : undefined;
  const expected = inputs && Object.hasOwn(inputs, field) ? inputs[field] : undefined;
  if (expected === null || typeof expected !== "object" || Array.isArray(expected)) return undefined;
  const from = schemaTypes(produced);
  const to = schemaTypes(expected as Record<string, unknown>);
  if (!from || !to) return undefined;
  const fit = typeFit(from, to);
  if (fit === "ok") return undefined;
  const types = (t: string[]) => t.join(" | ");
  const text = `'${path}' is ${types(from)} but ${consumer.workerType}.${field} takes ${types(to)}`;
  return fit === "none"
    ? { severity: "error", message: `${text}; map a ${types(to)} field or change one of the schemas` }
    : { severity: "warning", message: `${text}; some values may fail ${consumer.workerType}'s input_schema` };
}
