/** Shared fixtures: the guide's analysis_pipeline and the worker configs of configs/workers. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadWorkerConfig } from "../../../src/config/index.js";
import type { WorkerSchemas } from "../../../src/workshop/graph/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The worker configs the guide's pipelines use, by name. */
export async function guideWorkers(): Promise<Map<string, WorkerSchemas>> {
  const names = ["doc_extractor", "doc_classifier", "entity_extractor", "summarizer", "classifier"];
  const workers = new Map<string, WorkerSchemas>();
  for (const name of names) {
    const config = await loadWorkerConfig(path.join(root, "configs/workers", `${name}.yaml`));
    workers.set(config.name, config);
  }
  return workers;
}

/** configs/orchestrators/analysis_pipeline.yaml, parsed (a fresh copy each call). */
export async function analysisPipeline(): Promise<{ pipeline_stages: Record<string, unknown>[] }> {
  return parse(await readFile(path.join(root, "configs/orchestrators/analysis_pipeline.yaml"), "utf8"));
}

/** The opening tags of the `<g>` groups of one class in an SVG string, with their attributes. */
export function groups(
  svg: string,
  kind: "stage" | "edge",
): { classes: string[]; attrs: Record<string, string>; body: string }[] {
  const found: { classes: string[]; attrs: Record<string, string>; body: string }[] = [];
  for (const match of svg.matchAll(/<g class="((?:stage|edge)(?: [^"]*)?)"([^>]*)>([\s\S]*?)<\/g>/g)) {
    const classes = (match[1] ?? "").split(" ");
    if (classes[0] !== kind) continue;
    const attrs: Record<string, string> = {};
    for (const a of (match[2] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    found.push({ classes, attrs, body: match[3] ?? "" });
  }
  return found;
}
