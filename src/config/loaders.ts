/**
 * The loaders every part of Loom uses to read configs: parse, validate (throwing every issue at
 * once as a {@link ConfigValidationError}), apply defaults, resolve paths and schema refs.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { LoomError } from "../errors.js";
import type { McpData, PipelineData, RouterRulesData, WorkerData } from "./definitions/index.js";
import type { ConfigFileCache } from "./file-cache.js";
import { type ConfigIssue, ConfigValidationError, hasErrors } from "./issues.js";
import { toMcpGatewayConfig, toPipelineConfig, toRouterRules, toWorkerConfig } from "./to-model.js";
import type { ConfigKind, McpGatewayConfig, PipelineConfig, RouterRules, WorkerConfig } from "./types.js";
import { type CheckedConfig, checkConfigFile } from "./validate-file.js";
import { isYamlFile } from "./workers-dir.js";

/** Options of the loaders. */
export interface LoadConfigOptions {
  /** Load this text as the content of the file (an unsaved edit) instead of reading it. */
  text?: string;
  /**
   * Read files through this cache (the gateway's, so a hot reload re-reads only the files that
   * changed). @default read each file
   */
  fileCache?: ConfigFileCache;
}

async function checked(
  file: string,
  kind: ConfigKind,
  options: LoadConfigOptions = {},
): Promise<CheckedConfig & { data: unknown }> {
  const absolute = path.resolve(file);
  const result = await checkConfigFile(absolute, {
    kind,
    probeImports: false,
    checkWorkerTypes: false,
    ...(options.text === undefined ? {} : { text: options.text }),
    ...(options.fileCache ? { fileCache: options.fileCache } : {}),
  });
  if (hasErrors(result.issues) || result.data === undefined)
    throw new ConfigValidationError(absolute, result.issues);
  return result as CheckedConfig & { data: unknown };
}

/**
 * Loads a worker config: validates it, applies defaults, makes knowledge, silo and workspace paths
 * absolute and resolves `input_schema_ref` / `output_schema_ref`.
 *
 * @throws ConfigValidationError (code `config_invalid`) listing every issue.
 * @example const worker = await loadWorkerConfig("configs/workers/entity_extractor.yaml");
 */
export async function loadWorkerConfig(file: string, options: LoadConfigOptions = {}): Promise<WorkerConfig> {
  const result = await checked(file, "worker", options);
  return toWorkerConfig(result.data as WorkerData, result.file, result.schemas);
}

/**
 * Loads a pipeline config (stages under `stages`, defaults applied). Worker types are not checked
 * here: the dispatcher knows which workers exist.
 *
 * @throws ConfigValidationError listing every issue.
 */
export async function loadPipelineConfig(
  file: string,
  options: LoadConfigOptions = {},
): Promise<PipelineConfig> {
  const result = await checked(file, "pipeline", options);
  return toPipelineConfig(result.data as PipelineData, result.file);
}

/**
 * Loads an MCP gateway config. The worker and pipeline configs it names are validated too, and
 * their paths (and `resources.workspace_dir`) are made absolute.
 *
 * @throws ConfigValidationError listing every issue.
 */
export async function loadMcpConfig(
  file: string,
  options: LoadConfigOptions = {},
): Promise<McpGatewayConfig> {
  const result = await checked(file, "mcp", options);
  const fileCache = options.fileCache;
  return toMcpGatewayConfig(
    result.data as McpData,
    result.file,
    fileCache ? (ref) => fileCache.locate(result.file, ref).path : undefined,
  );
}

/** Loads router rules (Part 7). @throws ConfigValidationError listing every issue. */
export async function loadRouterRules(file: string): Promise<RouterRules> {
  const result = await checked(file, "router_rules");
  return toRouterRules(result.data as RouterRulesData, result.file);
}

export interface LoadWorkerConfigsOptions {
  /** Loads one file; a caller that also loads workers elsewhere passes a memoizing loader. @default loadWorkerConfig */
  load?: (file: string) => Promise<WorkerConfig>;
}

/**
 * Loads every worker YAML in a folder (not recursive; `_template.yaml` and other `_`-prefixed files
 * are skipped), keyed by worker `name`. Throws one ConfigValidationError with the issues of all
 * invalid files, and for two files that define the same name.
 */
export async function loadWorkerConfigs(
  dir: string,
  options: LoadWorkerConfigsOptions = {},
): Promise<Map<string, WorkerConfig>> {
  const folder = path.resolve(dir);
  const load = options.load ?? loadWorkerConfig;
  const entries = await readdir(folder).catch((cause: NodeJS.ErrnoException) => {
    const why =
      cause.code === "ENOENT"
        ? "does not exist"
        : cause.code === "ENOTDIR"
          ? "is not a folder"
          : cause.message;
    throw new LoomError(
      "config_error",
      `workers folder ${folder} ${why}: pipeline stages look up their workers there ` +
        "(set workers_dir: in the gateway config, or pass --workers DIR)",
      { details: { workers_dir: folder }, cause },
    );
  });
  const files = entries.filter((f) => isYamlFile(f) && !f.startsWith("_")).sort();
  const results = await Promise.allSettled(files.map((f) => load(path.join(folder, f))));
  const workers = new Map<string, WorkerConfig>();
  const issues: ConfigIssue[] = [];
  for (const result of results) {
    if (result.status === "rejected") {
      if (result.reason instanceof ConfigValidationError) issues.push(...result.reason.issues);
      else throw result.reason;
      continue;
    }
    const worker = result.value;
    const other = workers.get(worker.name);
    if (other) {
      issues.push({
        file: worker.sourcePath ?? folder,
        line: 1,
        column: 1,
        path: "name",
        message: `duplicate worker name '${worker.name}' (also ${other.sourcePath})`,
        severity: "error",
      });
    } else workers.set(worker.name, worker);
  }
  if (hasErrors(issues)) throw new ConfigValidationError(folder, issues);
  return workers;
}
