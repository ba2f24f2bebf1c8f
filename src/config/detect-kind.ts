/** Tells which kind of config a parsed YAML file is, from its keys (and, failing that, its folder). */
import path from "node:path";
import { type ConfigKind, ConfigKind as Kind } from "./types.js";

const WORKER_KEYS = [
  "system_prompt",
  "worker_kind",
  "processing_backend",
  "backend_config",
  "input_schema",
  "output_schema",
  "input_schema_ref",
  "output_schema_ref",
  "default_model_tier",
  "knowledge_sources",
  "knowledge_silos",
  "resolve_file_refs",
  "reset_after_task",
];

/** What `loom validate` says when it cannot tell; names the keys that decide and `--kind`. */
export const UNKNOWN_KIND_MESSAGE =
  "cannot tell what kind of config this is: a worker has system_prompt or processing_backend, a pipeline " +
  "has pipeline_stages, an MCP gateway has tools, router rules have tier_overrides or rate_limits " +
  "(or pass --kind worker|pipeline|mcp|router_rules)";

/** The kind of config `data` is, or undefined when it cannot be told. */
export function detectKind(data: unknown, file: string): ConfigKind | undefined {
  const byKeys = kindByKeys(data);
  if (byKeys !== undefined || data === null || typeof data !== "object" || Array.isArray(data)) return byKeys;
  const folders = path.resolve(file).split(path.sep);
  if (folders.includes("workers")) return Kind.Worker;
  if (folders.includes("orchestrators") || folders.includes("pipelines")) return Kind.Pipeline;
  if (folders.includes("mcp")) return Kind.Mcp;
  return undefined;
}

/** The kind that `data`'s own keys show (no guess from the folder), or undefined. */
export function kindByKeys(data: unknown): ConfigKind | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const keys = Object.keys(data);
  if (keys.includes("pipeline_stages")) return Kind.Pipeline;
  if (keys.includes("tier_overrides") || keys.includes("rate_limits")) return Kind.RouterRules;
  if (keys.includes("tools") || keys.includes("resources") || keys.includes("nats_url")) return Kind.Mcp;
  if (keys.some((k) => WORKER_KEYS.includes(k))) return Kind.Worker;
  return undefined;
}

const HOW_TO_USE: Record<ConfigKind, string> = {
  worker: "run it with `loom run worker --config FILE`, or serve it under tools.workers of a gateway config",
  pipeline:
    "run it with `loom run pipeline --config FILE`, or serve it under tools.pipelines of a gateway config",
  mcp: "serve it with `loom mcp --config FILE`",
  router_rules: "pass it with `--router-rules FILE`, or as router_rules: in a gateway config",
};

const WHAT_IS_EXPECTED: Record<ConfigKind, string> = {
  worker: "a worker config (system_prompt or processing_backend)",
  pipeline: "a pipeline config (pipeline_stages)",
  mcp: "an MCP gateway config (name, tools; see configs/mcp/example.yaml)",
  router_rules: "router rules (tier_overrides, rate_limits; see configs/router_rules.yaml)",
};

/** The one error for a file of another kind than the command needs, with what to do instead. */
export function wrongKindMessage(expected: ConfigKind, actual: ConfigKind): string {
  return `this is a ${actual.replace("_", " ")} config, not ${WHAT_IS_EXPECTED[expected]}: ${HOW_TO_USE[actual]}`;
}
