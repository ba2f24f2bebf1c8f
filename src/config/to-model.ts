/**
 * Converts validated snake_case config data into the camelCase models of `types.ts`, resolving the
 * relative paths a config names (knowledge files, silo folders, workspace dirs, referenced configs).
 */
import type { McpData, PipelineData, RouterRulesData, WorkerData } from "./definitions/index.js";
import { workerDefinition } from "./definitions/worker.js";
import { resolveConfigPath } from "./paths.js";
import type {
  KnowledgeSilo,
  McpGatewayConfig,
  PipelineConfig,
  RateLimit,
  RouterRules,
  Tier,
  WorkerConfig,
} from "./types.js";
import type { ResolvedSchemas } from "./worker-rules.js";

/** Schema used when a worker declares none: any JSON object. */
const ANY_OBJECT = { type: "object" };

/** A worker model from validated data; `file` is the absolute path of its YAML. */
export function toWorkerConfig(data: WorkerData, file: string, schemas: ResolvedSchemas = {}): WorkerConfig {
  const silos: KnowledgeSilo[] = data.knowledge_silos.map((silo) =>
    silo.type === "folder"
      ? { name: silo.name, type: "folder", path: resolveConfigPath(file, silo.path), mode: silo.mode }
      : { name: silo.name, type: "tool", provider: silo.provider, config: silo.config },
  );
  return {
    name: data.name,
    description: data.description,
    workerKind: data.worker_kind,
    systemPrompt: data.system_prompt,
    processingBackend: data.processing_backend,
    backendConfig: data.backend_config,
    inputSchema: schemas.input ?? data.input_schema ?? { ...ANY_OBJECT },
    outputSchema: schemas.output ?? data.output_schema ?? { ...ANY_OBJECT },
    inputSchemaRef: data.input_schema_ref,
    outputSchemaRef: data.output_schema_ref,
    defaultModelTier: data.default_model_tier,
    maxInputTokens: data.max_input_tokens,
    maxOutputTokens: data.max_output_tokens,
    knowledgeSources: data.knowledge_sources.map((s) => ({
      path: resolveConfigPath(file, s.path),
      injectAs: s.inject_as,
    })),
    knowledgeSilos: silos,
    workspaceDir: data.workspace_dir === undefined ? undefined : resolveConfigPath(file, data.workspace_dir),
    resolveFileRefs: data.resolve_file_refs,
    resetAfterTask: true,
    timeoutSeconds: data.timeout_seconds,
    sourcePath: file,
  };
}

/** A pipeline model from validated data. */
export function toPipelineConfig(data: PipelineData, file: string): PipelineConfig {
  return {
    name: data.name,
    description: data.description,
    timeoutSeconds: data.timeout_seconds,
    maxConcurrentGoals: data.max_concurrent_goals,
    stages: data.pipeline_stages.map((s) => ({
      name: s.name,
      workerType: s.worker_type,
      tier: s.tier,
      inputMapping: s.input_mapping,
      dependsOn: s.depends_on,
      condition: s.condition,
      timeoutSeconds: s.timeout_seconds,
    })),
    sourcePath: file,
  };
}

/**
 * An MCP gateway model from validated data; entry `config` paths become absolute (found by
 * `resolve`, which a loader with a file cache answers from the lookups validation made).
 */
export function toMcpGatewayConfig(
  data: McpData,
  file: string,
  resolve: (ref: string) => string = (ref) => resolveConfigPath(file, ref),
): McpGatewayConfig {
  return {
    name: data.name,
    description: data.description,
    natsUrl: data.nats_url,
    tools: {
      workers: data.tools.workers.map((w) => ({
        config: resolve(w.config),
        name: w.name,
        description: w.description,
      })),
      pipelines: data.tools.pipelines.map((p) => ({
        config: resolve(p.config),
        name: p.name,
        description: p.description,
      })),
      queries: data.tools.queries.map((q) => ({
        backend: q.backend,
        actions: q.actions,
        namePrefix: q.name_prefix,
        description: q.description,
        backendConfig: q.backend_config,
      })),
    },
    resources: data.resources && {
      workspaceDir: resolveConfigPath(file, data.resources.workspace_dir),
      patterns: data.resources.patterns,
      create: data.resources.create,
      allowSystemDir: data.resources.allow_system_dir,
      maxFileBytes: data.resources.max_file_bytes,
      maxConcurrentReads: data.resources.max_concurrent_reads,
      maxWatchedFiles: data.resources.max_watched_files,
    },
    workersDir: data.workers_dir === undefined ? undefined : resolveConfigPath(file, data.workers_dir),
    routerRules: data.router_rules === undefined ? undefined : resolveConfigPath(file, data.router_rules),
    sourcePath: file,
  };
}

/** Router rules from validated data. */
export function toRouterRules(data: RouterRulesData, file: string): RouterRules {
  const rateLimits: Partial<Record<Tier, RateLimit>> = {};
  for (const [tier, limit] of Object.entries(data.rate_limits) as [
    Tier,
    RouterRulesData["rate_limits"][Tier],
  ][]) {
    if (limit)
      rateLimits[tier] = { maxConcurrent: limit.max_concurrent, tokensPerMinute: limit.tokens_per_minute };
  }
  return { tierOverrides: data.tier_overrides, rateLimits, sourcePath: file };
}

/**
 * A WorkerConfig built in code rather than loaded from YAML: the guide's defaults (from the same
 * definition `loadWorkerConfig` applies), any JSON object as input and output, then `fields`.
 *
 * @example const worker = workerConfigWithDefaults({ name: "echo", workerKind: "processor", processingBackend: "./echo.js#Echo" });
 */
export function workerConfigWithDefaults(fields: Partial<WorkerConfig> & { name: string }): WorkerConfig {
  const { sourcePath: _unused, ...defaults } = toWorkerConfig(
    workerDefinition.parse({ name: fields.name }),
    "/unused/worker.yaml",
  );
  const config: WorkerConfig = { ...defaults, ...fields };
  for (const key of Object.keys(config) as (keyof WorkerConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  return config;
}
