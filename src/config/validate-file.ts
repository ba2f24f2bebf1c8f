/**
 * Validates one config file: YAML syntax, the kind's definition (field types, required fields,
 * unknown keys), then the kind's rules. Every problem is reported, not the first only.
 */
import path from "node:path";
import type { z } from "zod";
import { errorMessage } from "../errors.js";
import { CONFIG_DEFINITIONS } from "./definitions/index.js";
import { detectKind, kindByKeys, UNKNOWN_KIND_MESSAGE, wrongKindMessage } from "./detect-kind.js";
import type { ConfigFileCache } from "./file-cache.js";
import { IssueCollector } from "./issue-collector.js";
import { type ConfigIssue, hasErrors, sortIssues } from "./issues.js";
import { checkMcpRules, checkRouterRules } from "./mcp-rules.js";
import { checkPipelineRules } from "./pipeline-rules.js";
import type { ConfigKind } from "./types.js";
import { checkWorkerRules, type ResolvedSchemas } from "./worker-rules.js";
import { findWorkersDir, workerNamesIn } from "./workers-dir.js";
import { parseYamlSource, readYamlSource, type YamlSource } from "./yaml-source.js";
import { reportZodIssues } from "./zod-issues.js";

/** Options of {@link validateConfigFile}. */
export interface ValidateConfigOptions {
  /** The kind of config; detected from the content when not given. */
  kind?: ConfigKind;
  /**
   * Folder of worker configs that pipeline `worker_type`s must exist in. Default: a `workers/`
   * folder beside the config or its parent folder (`configs/workers/`), when there is one.
   */
  workersDir?: string;
  /** Validate this text as the content of `file` (an unsaved edit) instead of reading the file. */
  text?: string;
}

/** Internal options: what the loaders turn off. */
export interface CheckOptions extends ValidateConfigOptions {
  /**
   * Import code refs to check them, reporting one that cannot be imported as a warning; when false
   * (loading to run), backends are not imported and a schema ref that cannot be resolved is an error.
   * @default true
   */
  probeImports?: boolean;
  /** Check pipeline worker types against a workers folder. @default true */
  checkWorkerTypes?: boolean;
  /** Read this file, and the files an MCP config names, through this cache. @default read each file */
  fileCache?: ConfigFileCache;
}

/** Everything validation learned about a file. `data` is set when there are no errors. */
export interface CheckedConfig {
  file: string;
  kind: ConfigKind | undefined;
  issues: ConfigIssue[];
  /** The validated data (snake_case, defaults applied); undefined when there are errors. */
  data?: unknown;
  /** Worker schemas resolved from `*_schema_ref`. */
  schemas?: ResolvedSchemas;
}

/**
 * Validates a config file without starting anything or touching the network. Returns its kind
 * (undefined when it cannot be told) and every issue, sorted by position.
 *
 * @example const { kind, issues } = await validateConfigFile("configs/workers/entity_extractor.yaml");
 */
export async function validateConfigFile(
  file: string,
  options: ValidateConfigOptions = {},
): Promise<{ kind: ConfigKind | undefined; issues: ConfigIssue[] }> {
  const { kind, issues } = await checkConfigFile(file, options);
  return { kind, issues };
}

/**
 * {@link validateConfigFile} plus the validated data, for the loaders. With a `fileCache` and
 * `checkWorkerTypes: false`, a valid worker or pipeline file is validated once until the cache
 * forgets it: its result then depends on that file alone (an MCP config's depends on the files it
 * names, and a failure is checked again next time).
 */
export async function checkConfigFile(file: string, options: CheckOptions = {}): Promise<CheckedConfig> {
  const cache =
    options.text === undefined && options.checkWorkerTypes === false ? options.fileCache : undefined;
  const variant = `probeImports=${options.probeImports ?? true}`;
  const known = cache?.checked(file, variant);
  if (known && (options.kind === undefined || known.kind === options.kind)) return known;
  const result = await checkUncached(file, options);
  if (cache && (result.kind === "worker" || result.kind === "pipeline") && !hasErrors(result.issues)) {
    cache.remember(file, variant, result);
  }
  return result;
}

async function checkUncached(file: string, options: CheckOptions): Promise<CheckedConfig> {
  let source: YamlSource;
  try {
    source =
      options.text !== undefined
        ? parseYamlSource(file, options.text)
        : options.fileCache
          ? await options.fileCache.read(file)
          : await readYamlSource(file);
  } catch (error) {
    const issue: ConfigIssue = {
      file,
      line: 1,
      column: 1,
      path: "",
      message: `cannot read file: ${errorMessage(error)}`,
      severity: "error",
    };
    return { file, kind: options.kind, issues: [issue] };
  }
  const issues = new IssueCollector(source);
  if (source.syntaxIssues.length > 0) {
    issues.addAll(source.syntaxIssues);
    return { file, kind: options.kind, issues: sortIssues(issues.issues) };
  }
  const kind = options.kind ?? detectKind(source.data, file);
  const shown = kindByKeys(source.data);
  if (options.kind && shown && shown !== options.kind) {
    issues.error([], wrongKindMessage(options.kind, shown));
    return { file, kind: shown, issues: issues.issues };
  }
  if (!kind) {
    issues.error([], UNKNOWN_KIND_MESSAGE);
    return { file, kind, issues: issues.issues };
  }
  const raw = source.data;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    issues.error([], `a ${kind} config must be a YAML mapping of keys to values`);
    return { file, kind, issues: issues.issues };
  }
  const definition: z.ZodType = CONFIG_DEFINITIONS[kind];
  const parsed = definition.safeParse(raw);
  if (!parsed.success) reportZodIssues(definition, raw, parsed.error.issues, issues);
  const data = raw as Record<string, unknown>;
  const result: CheckedConfig = { file, kind, issues: [] };
  const workers =
    kind === "pipeline" || kind === "router_rules" ? await knownWorkers(file, options) : undefined;
  if (kind === "worker")
    result.schemas = await checkWorkerRules(data, issues, { probeImports: options.probeImports ?? true });
  if (kind === "pipeline") checkPipelineRules(data, issues, { workers });
  if (kind === "router_rules") checkRouterRules(data, issues, workers);
  if (kind === "mcp") {
    const fileCache = options.fileCache;
    await checkMcpRules(data, issues, {
      probeImports: options.probeImports ?? true,
      ...(fileCache ? { locate: (configFile, ref) => fileCache.locate(configFile, ref) } : {}),
      ...(options.workersDir === undefined ? {} : { workersDir: options.workersDir }),
      validateReferenced: async (target, workersDir) => {
        const checked = await checkConfigFile(target, {
          probeImports: options.probeImports,
          checkWorkerTypes: options.checkWorkerTypes,
          workersDir: workersDir ?? options.workersDir,
          ...(options.fileCache ? { fileCache: options.fileCache } : {}),
        });
        const name = (checked.data as { name?: unknown } | undefined)?.name;
        return {
          kind: checked.kind,
          issues: checked.issues,
          name: typeof name === "string" ? name : undefined,
        };
      },
    });
  }
  result.issues = sortIssues(issues.issues);
  if (!hasErrors(result.issues)) {
    result.data = parsed.success
      ? parsed.data
      : definition.parse(withoutUnknownKeys(raw, parsed.error.issues));
  }
  return result;
}

async function knownWorkers(file: string, options: CheckOptions) {
  if (options.checkWorkerTypes === false) return undefined;
  const dir = options.workersDir ? path.resolve(options.workersDir) : findWorkersDir(file);
  return dir ? { dir, names: await workerNamesIn(dir) } : undefined;
}

/** A deep copy of `data` without the keys Zod reported as unrecognized (they are warnings only). */
function withoutUnknownKeys(data: object, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy: unknown = structuredClone(data);
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    let target: unknown = copy;
    for (const segment of issue.path) target = (target as Record<PropertyKey, unknown>)[segment];
    for (const key of issue.keys) delete (target as Record<string, unknown>)[key];
  }
  return copy;
}
