/**
 * Typed models of the four config kinds the guide shows. YAML keys are snake_case; these models
 * are camelCase — the conversion happens once, in the loaders of this folder.
 */

/** A JSON Schema object as written in YAML. */
export type JsonSchema = Record<string, unknown>;

export const Tier = { Local: "local", Standard: "standard", Frontier: "frontier" } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];
export const TIERS: readonly Tier[] = Object.values(Tier);

export const WorkerKind = { Llm: "llm", Processor: "processor" } as const;
export type WorkerKind = (typeof WorkerKind)[keyof typeof WorkerKind];

export const ConfigKind = {
  Worker: "worker",
  Pipeline: "pipeline",
  Mcp: "mcp",
  RouterRules: "router_rules",
} as const;
export type ConfigKind = (typeof ConfigKind)[keyof typeof ConfigKind];

/** `knowledge_sources` entry (Part 5). `path` is resolved to an absolute path at load time. */
export interface KnowledgeSource {
  path: string;
  injectAs: "reference" | "few_shot";
}

/** `knowledge_silos` entry of `type: folder` (Part 8). `path` is absolute after loading. */
export interface FolderSilo {
  name: string;
  type: "folder";
  path: string;
  mode: "read" | "readwrite";
}

/** `knowledge_silos` entry of `type: tool` (Part 9). */
export interface ToolSilo {
  name: string;
  type: "tool";
  /** `"<module>#<Export>"` or a built-in dotted name such as `loom.contrib.duckdb.DuckDBViewTool`. */
  provider: string;
  config: Record<string, unknown>;
}

export type KnowledgeSilo = FolderSilo | ToolSilo;

/** A worker config (Parts 1, 2, 5, 6, 8, 9 of the guide). Defaults are already applied. */
export interface WorkerConfig {
  name: string;
  description?: string;
  /** @default "llm" */
  workerKind: WorkerKind;
  systemPrompt?: string;
  /** `"<module>#<Export>"` or a built-in dotted name. */
  processingBackend?: string;
  /** @default {} */
  backendConfig: Record<string, unknown>;
  /** Inline schema, or the schema resolved from `input_schema_ref` at load time. */
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  inputSchemaRef?: string;
  outputSchemaRef?: string;
  /** @default "standard" */
  defaultModelTier: Tier;
  /** @default 4000 */
  maxInputTokens: number;
  /** @default 2000 */
  maxOutputTokens: number;
  /** @default [] */
  knowledgeSources: KnowledgeSource[];
  /** @default [] */
  knowledgeSilos: KnowledgeSilo[];
  /** Absolute after loading. */
  workspaceDir?: string;
  /** @default [] */
  resolveFileRefs: string[];
  /** Always true: workers are stateless. */
  resetAfterTask: true;
  /** @default 60 */
  timeoutSeconds: number;
  /** Absolute path of the YAML file this came from; module refs resolve relative to it. */
  sourcePath?: string;
}

export interface PipelineStage {
  name: string;
  workerType: string;
  tier?: Tier;
  /** Worker input field → dotted path (`goal.context.x`, `extract.output.y`). */
  inputMapping: Record<string, string>;
  /** Explicit dependencies; when set they replace the inferred ones. */
  dependsOn?: string[];
  /** `path ==|!= literal`. */
  condition?: string;
  timeoutSeconds?: number;
}

export interface PipelineConfig {
  name: string;
  description?: string;
  /** Whole-goal timeout. @default 300 */
  timeoutSeconds: number;
  /** @default 1 */
  maxConcurrentGoals: number;
  stages: PipelineStage[];
  sourcePath?: string;
}

export interface McpWorkerEntry {
  /** Absolute path of the worker YAML after loading. */
  config: string;
  name?: string;
  description?: string;
}

export interface McpPipelineEntry {
  config: string;
  name: string;
  description?: string;
}

export interface McpQueryEntry {
  backend: string;
  actions: string[];
  namePrefix: string;
  description?: string;
  backendConfig: Record<string, unknown>;
}

export interface McpGatewayConfig {
  name: string;
  description?: string;
  natsUrl?: string;
  tools: {
    workers: McpWorkerEntry[];
    pipelines: McpPipelineEntry[];
    queries: McpQueryEntry[];
  };
  resources?: {
    /** Absolute after loading. */
    workspaceDir: string;
    patterns?: string[];
    /** Create a missing workspace folder at start. @default false */
    create?: boolean;
    /** Serve a system folder (`/`, `/etc`, the home folder itself, ...). @default false */
    allowSystemDir?: boolean;
    maxFileBytes?: number;
    maxConcurrentReads?: number;
    maxWatchedFiles?: number;
  };
  /** `workers_dir:`, absolute after loading: where pipeline stages' workers are looked up. */
  workersDir?: string;
  /** `router_rules:` file, absolute after loading. */
  routerRules?: string;
  sourcePath?: string;
}

export interface RateLimit {
  maxConcurrent?: number;
  tokensPerMinute?: number;
}

export interface RouterRules {
  tierOverrides: Record<string, Tier>;
  rateLimits: Partial<Record<Tier, RateLimit>>;
  sourcePath?: string;
}
