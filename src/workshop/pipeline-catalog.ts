/** The pipelines of a configs folder (`orchestrators/`), with stage counts, levels and issues. */

import { readFile } from "node:fs/promises";
import path from "node:path";
import { type ConfigIssue, hasErrors, validateConfigFile } from "../config/index.js";
import { computeLevels, dependencyMap, findCycle } from "../config/pipeline-graph.js";
import { ConfigCatalog, fieldsOf } from "./catalog.js";

export interface PipelineEntry {
  name: string;
  file: string;
  relativePath: string;
  stageCount: number;
  /** Stage names per level; empty when the stages cannot be ordered (a cycle, broken config). */
  levels: string[][];
  issues: ConfigIssue[];
  valid: boolean;
}

export class PipelineCatalog extends ConfigCatalog<PipelineEntry> {
  constructor(configsDir: string) {
    super(configsDir, "orchestrators", describePipeline);
  }
}

/** Reads and validates one pipeline file, never throwing for what is in it. */
export async function describePipeline(
  file: string,
  configsDir: string,
  text?: string,
): Promise<PipelineEntry> {
  const { issues } = await validateConfigFile(file, {
    kind: "pipeline",
    workersDir: path.join(configsDir, "workers"),
    ...(text === undefined ? {} : { text }),
  });
  const fields = fieldsOf(file, text ?? (await readFile(file, "utf8").catch(() => "")));
  const stages = Array.isArray(fields.pipeline_stages) ? (fields.pipeline_stages as unknown[]) : [];
  return {
    name: typeof fields.name === "string" && fields.name !== "" ? fields.name : path.parse(file).name,
    file,
    relativePath: path.relative(configsDir, file),
    stageCount: stages.length,
    levels: levelsOf(stages),
    issues,
    valid: !hasErrors(issues),
  };
}

function levelsOf(stages: unknown[]): string[][] {
  const shapes = stages
    .filter(
      (s): s is Record<string, unknown> =>
        s !== null && typeof s === "object" && typeof (s as { name?: unknown }).name === "string",
    )
    .map((s) => ({
      name: s.name as string,
      inputMapping: (s.input_mapping !== null && typeof s.input_mapping === "object"
        ? s.input_mapping
        : {}) as Record<string, string>,
      ...(Array.isArray(s.depends_on) ? { dependsOn: s.depends_on as string[] } : {}),
      ...(typeof s.condition === "string" ? { condition: s.condition } : {}),
    }));
  const deps = dependencyMap(shapes);
  return findCycle(deps) ? [] : computeLevels(deps);
}
