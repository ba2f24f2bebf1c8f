/**
 * A pipeline's dependency graph with its static checks, built from the parsed YAML (which may be
 * invalid — this never throws): stages with their levels, edges labelled with the fields they feed,
 * and problems on the stages and edges they concern — cycles, unknown workers, mappings from
 * unknown stages, mapped fields the producer's output schema lacks, required inputs nothing fills,
 * and type mismatches between producer and consumer fields.
 */
import { closest } from "fastest-levenshtein";
import { parseCondition } from "../../config/condition.js";
import { parsePath, sourceStage } from "../../config/mapping-path.js";
import { computeLevels, dependencyMap, findCycle } from "../../config/pipeline-graph.js";

export interface GraphStage {
  name: string;
  workerType: string;
  tier?: string;
  inputMapping: Record<string, string>;
  condition?: string;
  dependsOn?: string[];
  timeoutSeconds?: number;
  /** -1 when the stage is in a cycle. */
  level: number;
}

export interface GraphProblem {
  severity: "error" | "warning";
  message: string;
  stage?: string;
  edge?: { from: string; to: string };
  field?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: "mapping" | "depends_on" | "condition";
  /** The consumer's input fields this producer feeds. */
  fields: string[];
  problems: GraphProblem[];
}

export interface PipelineGraph {
  name: string;
  stages: GraphStage[];
  edges: GraphEdge[];
  levels: string[][];
  /** Every problem, those on stages and edges included. */
  problems: GraphProblem[];
}

export interface WorkerSchemas {
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
}

type Schema = { type?: unknown; properties?: Record<string, unknown>; required?: unknown; items?: unknown };

export function buildPipelineGraph(
  pipeline: unknown,
  workers: ReadonlyMap<string, WorkerSchemas>,
): PipelineGraph {
  const data = isObject(pipeline) ? pipeline : {};
  const stages = (Array.isArray(data.pipeline_stages) ? data.pipeline_stages : [])
    .filter(isObject)
    .filter((s) => typeof s.name === "string")
    .map(toStage);
  const names = new Set(stages.map((s) => s.name));
  const deps = dependencyMap(stages);
  const cycle = findCycle(deps);
  const inCycle = new Set(cycle ?? []);
  const levels = cycle ? [] : computeLevels(deps);
  const levelOf = new Map(levels.flatMap((level, i) => level.map((name) => [name, i] as const)));
  for (const stage of stages) stage.level = inCycle.has(stage.name) ? -1 : (levelOf.get(stage.name) ?? 0);

  const problems: GraphProblem[] = [];
  const edges: GraphEdge[] = [];
  const known = [...workers.keys()];
  for (const stage of stages) {
    const consumer = workers.get(stage.workerType);
    if (!consumer) {
      const hint = known.length > 0 ? ` — did you mean '${closest(stage.workerType, known)}'?` : "";
      problems.push({
        severity: "error",
        stage: stage.name,
        message: `stage '${stage.name}' names unknown worker '${stage.workerType}'${hint}`,
      });
    }
    for (const dep of deps.get(stage.name) ?? []) edges.push(edgeBetween(dep, stage));
    for (const [field, from] of Object.entries(stage.inputMapping)) {
      const source = sourceStage(from);
      if (source !== undefined && !names.has(source)) {
        problems.push({
          severity: "error",
          stage: stage.name,
          field,
          message: `${stage.name}.input_mapping.${field} reads '${from}', but there is no stage '${source}' (stages: ${[...names].join(", ")}; or use goal.context.*)`,
        });
      }
    }
    if (consumer) checkRequiredInputs(stage, consumer, problems);
  }
  for (const edge of edges) {
    if (inCycle.has(edge.from) && inCycle.has(edge.to)) {
      edge.problems.push({
        severity: "error",
        edge: { from: edge.from, to: edge.to },
        message: `dependency cycle: ${cycle?.join(" → ")} — a stage cannot wait for itself`,
      });
    }
    const producer = workers.get(stageByName(stages, edge.from)?.workerType ?? "");
    const stage = stageByName(stages, edge.to);
    if (producer && stage) checkMappedFields(edge, stage, producer, workers.get(stage.workerType));
    problems.push(...edge.problems);
  }
  return { name: typeof data.name === "string" ? data.name : "", stages, edges, levels, problems };
}

function toStage(raw: Record<string, unknown>): GraphStage {
  const mapping = isObject(raw.input_mapping) ? raw.input_mapping : {};
  return {
    name: raw.name as string,
    workerType: typeof raw.worker_type === "string" ? raw.worker_type : "",
    ...(typeof raw.tier === "string" ? { tier: raw.tier } : {}),
    inputMapping: Object.fromEntries(
      Object.entries(mapping).filter((e): e is [string, string] => typeof e[1] === "string"),
    ),
    ...(typeof raw.condition === "string" ? { condition: raw.condition } : {}),
    ...(Array.isArray(raw.depends_on)
      ? { dependsOn: raw.depends_on.filter((d): d is string => typeof d === "string") }
      : {}),
    ...(typeof raw.timeout_seconds === "number" ? { timeoutSeconds: raw.timeout_seconds } : {}),
    level: 0,
  };
}

function edgeBetween(from: string, stage: GraphStage): GraphEdge {
  const fields = Object.entries(stage.inputMapping)
    .filter(([, path]) => sourceStage(path) === from)
    .map(([field]) => field);
  const conditionSource = stage.condition
    ? sourceStage(parseCondition(stage.condition)?.path ?? "")
    : undefined;
  const kind = stage.dependsOn?.includes(from)
    ? "depends_on"
    : fields.length === 0 && conditionSource === from
      ? "condition"
      : "mapping";
  return { from, to: stage.name, kind, fields, problems: [] };
}

/** A mapped `producer.output.a.b` must exist in the producer's output schema, with a compatible type. */
function checkMappedFields(
  edge: GraphEdge,
  stage: GraphStage,
  producer: WorkerSchemas,
  consumer: WorkerSchemas | undefined,
): void {
  for (const field of edge.fields) {
    const path = stage.inputMapping[field] ?? "";
    const segments = parsePath(path);
    if (segments?.[1] !== "output") continue;
    let schema: Schema | undefined = producer.outputSchema as Schema;
    const walked: string[] = [];
    for (const segment of segments.slice(2)) {
      if (!schema) break;
      if (typeof segment === "number") {
        schema = isObject(schema.items) ? (schema.items as Schema) : undefined;
        continue;
      }
      if (!isObject(schema.properties)) {
        schema = undefined;
        break;
      }
      const next = schema.properties[segment];
      if (!isObject(next)) {
        const available = Object.keys(schema.properties);
        const where =
          walked.length > 0 ? `${edge.from}.output.${walked.join(".")}` : `the output of '${edge.from}'`;
        edge.problems.push({
          severity: "error",
          edge: { from: edge.from, to: edge.to },
          field,
          message: `${stage.name}.input_mapping.${field} reads '${path}', but ${where} has no field '${segment}' (it has: ${available.join(", ") || "none"})`,
        });
        schema = undefined;
        break;
      }
      walked.push(segment);
      schema = next as Schema;
    }
    const wanted = (consumer?.inputSchema as Schema | undefined)?.properties?.[field] as Schema | undefined;
    if (schema && wanted && !typesFit(schema.type, wanted.type)) {
      edge.problems.push({
        severity: "error",
        edge: { from: edge.from, to: edge.to },
        field,
        message: `${stage.name}.input_mapping.${field}: '${path}' is ${String(schema.type)} but ${stage.workerType}'s input '${field}' expects ${String(wanted.type)}`,
      });
    }
  }
}

function checkRequiredInputs(stage: GraphStage, consumer: WorkerSchemas, problems: GraphProblem[]): void {
  const required = (consumer.inputSchema as Schema).required;
  if (!Array.isArray(required)) return;
  for (const field of required) {
    if (typeof field === "string" && !(field in stage.inputMapping)) {
      problems.push({
        severity: "error",
        stage: stage.name,
        field,
        message: `stage '${stage.name}': ${stage.workerType} requires input '${field}', but input_mapping does not fill it`,
      });
    }
  }
}

/** Whether a value of JSON Schema type `from` fits type `to`; an undeclared type fits anything. */
function typesFit(from: unknown, to: unknown): boolean {
  if (typeof from !== "string" || typeof to !== "string") return true;
  return from === to || (from === "integer" && to === "number");
}

function stageByName(stages: readonly GraphStage[], name: string): GraphStage | undefined {
  return stages.find((s) => s.name === name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
