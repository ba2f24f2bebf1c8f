/**
 * Loading an MCP config for the gateway, with the most useful issues: when a worker or pipeline
 * file it names is broken, the config loader reports the MCP entry ("... is not a config"); this
 * adds the broken file's own issues, with their line and column, so a hot reload that fails says
 * exactly where.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ConfigFileCache } from "../../config/file-cache.js";
import {
  type ConfigIssue,
  ConfigValidationError,
  loadMcpConfig,
  loadPipelineConfig,
  loadWorkerConfig,
  type McpGatewayConfig,
} from "../../config/index.js";
import { resolveConfigPath } from "../../config/paths.js";
import { yamlLib } from "../../config/yaml-lib.js";
import { errorMessage } from "../../errors.js";

/** Options of {@link loadGatewayConfig}. */
export interface LoadGatewayConfigOptions {
  /** Read the config and the files it names through this cache. @default read each file */
  fileCache?: ConfigFileCache;
}

/**
 * `loadMcpConfig`, plus the issues of each named worker and pipeline file when it fails.
 *
 * @throws ConfigValidationError listing every issue (each with file:line:col).
 * @example const config = await loadGatewayConfig("configs/mcp/example.yaml");
 */
export async function loadGatewayConfig(
  file: string,
  options: LoadGatewayConfigOptions = {},
): Promise<McpGatewayConfig> {
  const mcpFile = path.resolve(file);
  try {
    return await loadMcpConfig(mcpFile, options.fileCache ? { fileCache: options.fileCache } : {});
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const extra = await referencedIssues(mcpFile);
    if (extra.length === 0) throw error;
    throw new ConfigValidationError(mcpFile, [...error.issues, ...extra]);
  }
}

/** The issues of each worker and pipeline file an MCP config names, loaded one by one. */
async function referencedIssues(mcpFile: string): Promise<ConfigIssue[]> {
  let data: unknown;
  try {
    data = yamlLib().parse(await readFile(mcpFile, "utf8"));
  } catch {
    return [];
  }
  const tools = (data as { tools?: Record<string, unknown> } | null)?.tools ?? {};
  const refs = (key: string): string[] => {
    const entries = Array.isArray(tools[key]) ? (tools[key] as unknown[]) : [];
    return entries
      .map((e) => (e as { config?: unknown } | null)?.config)
      .filter((c): c is string => typeof c === "string")
      .map((c) => resolveConfigPath(mcpFile, c));
  };
  const loads = [
    ...refs("workers").map((file) => loadWorkerConfig(file)),
    ...refs("pipelines").map((file) => loadPipelineConfig(file)),
  ];
  const issues: ConfigIssue[] = [];
  for (const result of await Promise.allSettled(loads)) {
    if (result.status === "rejected" && result.reason instanceof ConfigValidationError) {
      issues.push(...result.reason.issues);
    }
  }
  return issues;
}

/**
 * The positioned issues an error stands for: a {@link ConfigValidationError}'s own, or one issue
 * at the top of `file` carrying the message of any other error (a schema ref that cannot be
 * imported, a DuckDB file that cannot be opened while building tools, ...).
 */
export function issuesOf(error: unknown, file: string): ConfigIssue[] {
  if (error instanceof ConfigValidationError) return error.issues;
  return [{ file, line: 1, column: 1, path: "", message: errorMessage(error), severity: "error" }];
}
