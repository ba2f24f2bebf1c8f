/**
 * Stage operations on a pipeline YAML, done on the `yaml` Document so the file keeps its comments,
 * blank lines and quoting: insert a stage after another (a parallel branch is a stage mapped from
 * the same producers), remove a stage, swap its worker or tier, set or clear an input mapping.
 * Each returns the new text; validating it before saving is the caller's job.
 */
import { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { dependencyMap } from "../config/pipeline-graph.js";
import { LoomError } from "../errors.js";

export interface NewStage {
  name: string;
  worker_type: string;
  tier?: string;
  input_mapping: Record<string, string>;
}

export type StageEdit =
  | { op: "insert_after"; after: string; stage: NewStage }
  | { op: "remove"; stage: string }
  | { op: "set_worker"; stage: string; worker_type: string }
  | { op: "set_tier"; stage: string; tier: string | null }
  | { op: "set_mapping"; stage: string; field: string; path: string | null };

/** Applies one edit to the pipeline text. @throws LoomError `invalid_input` saying what is wrong */
export function editPipeline(text: string, edit: StageEdit): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new LoomError("invalid_input", `the pipeline YAML does not parse: ${doc.errors[0]?.message}`);
  const stages = stageSeq(doc);
  switch (edit.op) {
    case "insert_after": {
      checkName(edit.stage.name);
      if (findStage(stages, edit.stage.name))
        throw new LoomError(
          "invalid_input",
          `there is already a stage '${edit.stage.name}': pick another name`,
        );
      const index = stageIndex(stages, edit.after);
      const stage: Record<string, unknown> = { name: edit.stage.name, worker_type: edit.stage.worker_type };
      if (edit.stage.tier) stage.tier = edit.stage.tier;
      stage.input_mapping = edit.stage.input_mapping;
      const node = doc.createNode(stage);
      node.spaceBefore = true;
      stages.items.splice(index + 1, 0, node);
      break;
    }
    case "remove": {
      const dependants = dependantsOf(doc.toJS() as unknown, edit.stage);
      if (dependants.length > 0) {
        throw new LoomError(
          "invalid_input",
          `stage '${edit.stage}' feeds ${dependants.map((d) => `'${d}'`).join(", ")}: change or remove those first`,
          {
            details: { dependants },
          },
        );
      }
      stages.items.splice(stageIndex(stages, edit.stage), 1);
      break;
    }
    case "set_worker":
      stageMap(stages, edit.stage).set("worker_type", edit.worker_type);
      break;
    case "set_tier":
      if (edit.tier === null) stageMap(stages, edit.stage).delete("tier");
      else stageMap(stages, edit.stage).set("tier", edit.tier);
      break;
    case "set_mapping": {
      const stage = stageMap(stages, edit.stage);
      let mapping = stage.get("input_mapping");
      if (!isMap(mapping)) {
        mapping = doc.createNode({});
        stage.set("input_mapping", mapping);
      }
      if (edit.path === null) (mapping as YAMLMap).delete(edit.field);
      else (mapping as YAMLMap).set(edit.field, edit.path);
      break;
    }
  }
  return doc.toString();
}

/** The stages that depend on `name` (by mapping, condition or depends_on). */
export function dependantsOf(pipeline: unknown, name: string): string[] {
  const raw = (pipeline as { pipeline_stages?: unknown } | null)?.pipeline_stages;
  if (!Array.isArray(raw)) return [];
  const shapes = raw
    .filter(
      (s): s is Record<string, unknown> => s !== null && typeof s === "object" && typeof s.name === "string",
    )
    .map((s) => ({
      name: s.name as string,
      inputMapping: (s.input_mapping ?? {}) as Record<string, string>,
      ...(Array.isArray(s.depends_on) ? { dependsOn: s.depends_on as string[] } : {}),
      ...(typeof s.condition === "string" ? { condition: s.condition } : {}),
    }));
  return [...dependencyMap(shapes)].filter(([, deps]) => deps.includes(name)).map(([stage]) => stage);
}

function stageSeq(doc: Document): YAMLSeq {
  const stages = doc.get("pipeline_stages");
  if (!isSeq(stages)) throw new LoomError("invalid_input", "the pipeline has no pipeline_stages list");
  return stages;
}

function findStage(stages: YAMLSeq, name: string): YAMLMap | undefined {
  return stages.items.find(
    (item): item is YAMLMap => isMap(item) && scalarValue(item.get("name", true)) === name,
  );
}

function stageIndex(stages: YAMLSeq, name: string): number {
  const stage = findStage(stages, name);
  if (!stage) throw new LoomError("invalid_input", `there is no stage '${name}' in this pipeline`);
  return stages.items.indexOf(stage);
}

function stageMap(stages: YAMLSeq, name: string): YAMLMap {
  return stages.items[stageIndex(stages, name)] as YAMLMap;
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

function checkName(name: string): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new LoomError(
      "invalid_input",
      `'${name}' is not a stage name: use lowercase letters, digits and underscores, starting with a letter`,
    );
  }
}
