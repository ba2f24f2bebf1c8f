/**
 * Reads the stages out of raw pipeline data (parsed YAML, snake_case, possibly invalid) without
 * throwing: what cannot be read is reported as a problem and left out.
 */
import type { GraphProblem, GraphStage } from "./model.js";

type Raw = Record<string, unknown>;

/** A stage as read, before levels are known. */
export type ReadStage = Omit<GraphStage, "level">;

/** What {@link readStages} found. */
export interface ReadResult {
  name: string;
  stages: ReadStage[];
  problems: GraphProblem[];
}

function asRecord(v: unknown): Raw | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `${typeof v} ${JSON.stringify(v)}`;
}

/** Reads the pipeline's name and stages, reporting every part it has to leave out. */
export function readStages(pipeline: unknown): ReadResult {
  const problems: GraphProblem[] = [];
  const error = (message: string, stage?: string, field?: string) =>
    problems.push({
      severity: "error",
      message,
      ...(stage !== undefined ? { stage } : {}),
      ...(field !== undefined ? { field } : {}),
    });
  const data = asRecord(pipeline);
  if (!data) {
    error(`a pipeline config must be a mapping with name and pipeline_stages (got ${describe(pipeline)})`);
    return { name: "", stages: [], problems };
  }
  const name = typeof data.name === "string" ? data.name : "";
  if (!Array.isArray(data.pipeline_stages)) {
    error(
      data.pipeline_stages === undefined
        ? "pipeline_stages is missing: list the stages, e.g. pipeline_stages: [{ name: extract, worker_type: doc_extractor, input_mapping: { file_ref: goal.context.file_ref } }]"
        : `pipeline_stages must be a list of stages (got ${describe(data.pipeline_stages)})`,
    );
    return { name, stages: [], problems };
  }
  const stages: ReadStage[] = [];
  const seen = new Map<string, number>();
  data.pipeline_stages.forEach((item, index) => {
    const at = `pipeline_stages[${index}]`;
    const raw = asRecord(item);
    if (!raw) {
      error(
        `${at} must be a mapping with name, worker_type and input_mapping (got ${describe(item)}); not drawn`,
      );
      return;
    }
    if (typeof raw.name !== "string" || raw.name === "") {
      error(`${at}.name must be a non-empty string (got ${describe(raw.name)}); the stage is not drawn`);
      return;
    }
    const stageName = raw.name;
    const first = seen.get(stageName);
    if (first !== undefined) {
      error(
        `${at}: duplicate stage name '${stageName}' (also pipeline_stages[${first}]); only the first is drawn — rename one`,
        stageName,
        "name",
      );
      return;
    }
    seen.set(stageName, index);
    const stage: ReadStage = { name: stageName, workerType: "", inputMapping: {} };
    if (typeof raw.worker_type === "string" && raw.worker_type !== "") stage.workerType = raw.worker_type;
    else
      error(
        `stage '${stageName}': worker_type must name a worker config (got ${describe(raw.worker_type)})`,
        stageName,
        "worker_type",
      );
    if (typeof raw.tier === "string") stage.tier = raw.tier;
    readMapping(raw.input_mapping, stage, error);
    if (raw.condition !== undefined) {
      if (typeof raw.condition === "string") stage.condition = raw.condition;
      else
        error(
          `stage '${stageName}': condition must be a string like "extract.output.needs_ocr == true" (got ${describe(raw.condition)})`,
          stageName,
          "condition",
        );
    }
    if (raw.depends_on !== undefined) {
      if (Array.isArray(raw.depends_on)) {
        stage.dependsOn = raw.depends_on.filter((d): d is string => typeof d === "string" && d !== "");
        if (stage.dependsOn.length !== raw.depends_on.length)
          error(`stage '${stageName}': depends_on must list stage names only`, stageName, "depends_on");
      } else
        error(
          `stage '${stageName}': depends_on must be a list of stage names (got ${describe(raw.depends_on)})`,
          stageName,
          "depends_on",
        );
    }
    if (typeof raw.timeout_seconds === "number") stage.timeoutSeconds = raw.timeout_seconds;
    stages.push(stage);
  });
  return { name, stages, problems };
}

function readMapping(
  value: unknown,
  stage: ReadStage,
  error: (message: string, stage?: string, field?: string) => void,
): void {
  if (value === undefined || value === null) return;
  const mapping = asRecord(value);
  if (!mapping) {
    error(
      `stage '${stage.name}': input_mapping must map input fields to paths (got ${describe(value)})`,
      stage.name,
      "input_mapping",
    );
    return;
  }
  for (const [field, path] of Object.entries(mapping)) {
    if (typeof path === "string" && path !== "") {
      // A plain assignment would let a field named __proto__ change the object's prototype.
      Object.defineProperty(stage.inputMapping, field, { value: path, enumerable: true, writable: true });
    } else
      error(
        `stage '${stage.name}': input_mapping.${field} must be a path like "extract.output.${field}" (got ${describe(path)})`,
        stage.name,
        field,
      );
  }
}
