/**
 * MCP gateway rules beyond field types (Part 12): referenced worker and pipeline configs exist, are
 * of the right kind and are valid themselves; tool names are unique; query backends can be imported.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { asRecord, didYouMean, type IssueCollector } from "./issue-collector.js";
import { type ConfigIssue, formatIssue } from "./issues.js";
import { probeClassRef } from "./module-probe.js";
import { locateConfigPath, resolveConfigPath } from "./paths.js";
import type { ConfigKind } from "./types.js";
import { findWorkersDir } from "./workers-dir.js";
import { type DataPath, formatPath } from "./yaml-source.js";

type Raw = Record<string, unknown>;

/** Validates a referenced file; returns its kind, issues and (for workers) its `name`. */
export type ValidateReferenced = (
  file: string,
) => Promise<{ kind: ConfigKind | undefined; issues: ConfigIssue[]; name?: string }>;

export interface McpRuleOptions {
  /** Also check this machine: backends import, database files and the workspace folder exist. */
  probeImports: boolean;
  /** Validates a referenced file; pipelines are checked against `workersDir` when given. */
  validateReferenced: (file: string, workersDir?: string) => ReturnType<ValidateReferenced>;
  /** `--workers DIR`, replacing the config's `workers_dir`. */
  workersDir?: string;
  /** Finds a referenced file (a file cache's remembers the answers). @default locateConfigPath */
  locate?: typeof locateConfigPath;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Checks an MCP gateway config's raw data. */
export async function checkMcpRules(
  data: Raw,
  issues: IssueCollector,
  options: McpRuleOptions,
): Promise<void> {
  const file = issues.source.file;
  const tools = asRecord(data.tools) ?? {};
  const names = new Map<string, string>();
  const claim = (name: string, at: DataPath, field: string) => {
    const where = formatPath(at);
    const other = names.get(name);
    if (other) issues.error([...at, field], `duplicate tool name '${name}' (also ${other})`);
    else names.set(name, where);
  };

  const workersDirOf = stageWorkersDir(file, data, options.workersDir);
  // The referenced files are validated concurrently (their reads overlap); issues are reported in order.
  const validated = new Map<string, ReturnType<ValidateReferenced>>();
  const validate = (target: string) => {
    let result = validated.get(target);
    if (!result) {
      result = options.validateReferenced(target, workersDirOf(target));
      result.catch(() => {});
      validated.set(target, result);
    }
    return result;
  };
  // Each reference is looked up on disk once (a gateway may name 1,000 workers).
  const located = new Map<string, ReturnType<typeof locateConfigPath>>();
  const locate = (config: string) => {
    let found = located.get(config);
    if (!found) {
      found = (options.locate ?? locateConfigPath)(file, config);
      located.set(config, found);
    }
    return found;
  };
  for (const group of ["workers", "pipelines"] as const) {
    for (const item of asList(tools[group])) {
      const config = asRecord(item)?.config;
      if (typeof config === "string" && config !== "") {
        const { path: target, exists } = locate(config);
        if (exists) void validate(target);
      }
    }
  }

  for (const group of ["workers", "pipelines"] as const) {
    const expected: ConfigKind = group === "workers" ? "worker" : "pipeline";
    for (const [index, item] of asList(tools[group]).entries()) {
      const entry = asRecord(item);
      if (!entry || typeof entry.config !== "string" || entry.config === "") continue;
      const at: DataPath = ["tools", group, index];
      const { path: target, exists } = locate(entry.config);
      if (!exists) {
        issues.error([...at, "config"], `${expected} config not found: ${target}`);
        continue;
      }
      const result = await validate(target);
      if (result.kind !== expected) {
        issues.error(
          [...at, "config"],
          `${target} is ${result.kind ? `a ${result.kind}` : "not a"} config; expected a ${expected} config`,
        );
        continue;
      }
      const errors = result.issues.filter((i) => i.severity === "error");
      if (errors.length > 0) {
        issues.error(
          [...at, "config"],
          `${expected} config has ${errors.length} error(s); first: ${formatIssue(errors[0] as ConfigIssue)}`,
        );
      }
      if (options.probeImports && group === "pipelines" && workersDirOf(target) === undefined) {
        issues.error(
          [...at, "config"],
          `no workers folder for pipeline ${target}: its stages' workers are looked up in workers/ beside ` +
            "its folder; set workers_dir: in this config or pass --workers DIR",
        );
      }
      const toolName = typeof entry.name === "string" ? entry.name : result.name;
      if (toolName) claim(toolName, at, typeof entry.name === "string" ? "name" : "config");
    }
  }

  for (const [index, item] of asList(tools.queries).entries()) {
    const entry = asRecord(item);
    if (!entry) continue;
    const at: DataPath = ["tools", "queries", index];
    if (typeof entry.name_prefix === "string") {
      for (const action of asList(entry.actions)) {
        if (typeof action === "string") claim(`${entry.name_prefix}_${action}`, at, "name_prefix");
      }
    }
    if (options.probeImports && typeof entry.backend === "string") {
      const warning = await probeClassRef(entry.backend, file);
      if (warning) issues.warning([...at, "backend"], warning);
    }
    if (options.probeImports) checkDatabaseFile(file, entry, at, issues);
  }

  // What start-up will need on this machine: `loom validate` checks it; the loaders leave it to start-up.
  if (options.probeImports) checkWorkspaceDir(file, data, issues);

  await checkRouterRulesRef(data, issues, validate);

  const count = ["workers", "pipelines", "queries"].reduce((n, g) => n + asList(tools[g]).length, 0);
  if (count === 0 && data.resources === undefined) {
    issues.warning(
      [],
      "this gateway exposes nothing: add tools.workers, tools.pipelines, tools.queries or resources",
    );
  }
}

/** `router_rules:` names an existing, valid router rules file (relative to the MCP config). */
async function checkRouterRulesRef(
  data: Raw,
  issues: IssueCollector,
  validate: (target: string) => ReturnType<ValidateReferenced>,
): Promise<void> {
  if (typeof data.router_rules !== "string" || data.router_rules === "") return;
  const target = resolveConfigPath(issues.source.file, data.router_rules);
  if (!existsSync(target)) {
    issues.error(["router_rules"], `router rules file not found: ${target}`);
    return;
  }
  const result = await validate(target);
  const errors = result.issues.filter((i) => i.severity === "error");
  if (result.kind !== "router_rules") {
    issues.error(
      ["router_rules"],
      `${target} is ${result.kind ? `a ${result.kind}` : "not a"} config; expected router rules`,
    );
  } else if (errors.length > 0) {
    issues.error(
      ["router_rules"],
      `router rules have ${errors.length} error(s); first: ${formatIssue(errors[0] as ConfigIssue)}`,
    );
  }
}

/** Router rules: tier_overrides should name workers that exist, when the workers folder is known. */
export function checkRouterRules(
  data: Raw,
  issues: IssueCollector,
  workers?: { dir: string; names: readonly string[] },
) {
  if (!workers) return;
  for (const name of Object.keys(asRecord(data.tier_overrides) ?? {})) {
    if (!workers.names.includes(name)) {
      issues.warning(
        ["tier_overrides", name],
        `no worker config named '${name}' in ${workers.dir}${didYouMean(name, workers.names)}`,
        { key: true },
      );
    }
  }
}

/**
 * The folder a pipeline's stage workers are loaded from at start-up, the same rule the gateway
 * uses: `--workers`, else `workers_dir:`, else workers/ beside the pipeline (undefined: none exists).
 */
function stageWorkersDir(
  file: string,
  data: Raw,
  flag: string | undefined,
): (config: string) => string | undefined {
  const given =
    flag ?? (typeof data.workers_dir === "string" ? resolveConfigPath(file, data.workers_dir) : undefined);
  // The answer depends on the config's folder only: looked up once per folder.
  const byFolder = new Map<string, string | undefined>();
  return (config) => {
    const folder = path.dirname(config);
    if (!byFolder.has(folder)) {
      const dir = given ?? findWorkersDir(config);
      byFolder.set(folder, dir !== undefined && isFolder(dir) ? dir : undefined);
    }
    return byFolder.get(folder);
  };
}

/**
 * A DuckDB query backend needs its database file, unless it creates it (`sample_data: true`).
 * A warning, not an error: it is this machine's state, not the config's (the guide's example
 * points at the reader's own data); `--strict` makes it fail.
 */
function checkDatabaseFile(file: string, entry: Raw, at: DataPath, issues: IssueCollector): void {
  const config = asRecord(entry.backend_config) ?? {};
  if (typeof config.db_path !== "string" || config.db_path === "" || config.sample_data === true) return;
  if (config.db_path === ":memory:") return;
  const target = resolveConfigPath(file, config.db_path);
  if (!existsSync(target)) {
    issues.warning(
      [...at, "backend_config", "db_path"],
      `database file not found: ${target}; loom mcp will not start until it exists ` +
        "(create it, fix the path, or set sample_data: true for the sample table)",
    );
  }
}

/** `resources.workspace_dir` must exist unless `create: true` (the gateway refuses to start otherwise). */
function checkWorkspaceDir(file: string, data: Raw, issues: IssueCollector): void {
  const resources = asRecord(data.resources);
  if (!resources || typeof resources.workspace_dir !== "string" || resources.workspace_dir === "") return;
  if (resources.create === true) return;
  const target = resolveConfigPath(file, resources.workspace_dir);
  if (!isFolder(target)) {
    issues.warning(
      ["resources", "workspace_dir"],
      `workspace folder not found: ${target}; loom mcp will not start until it exists ` +
        "(create it, fix the path, or set resources.create: true)",
    );
  }
}

function isFolder(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}
