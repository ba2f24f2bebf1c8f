/**
 * The public API of Loom (`import { … } from "loom-ai"`). Any export added here becomes public
 * API. DuckDB lives on its own subpath (`loom-ai/duckdb`) so this import stays light.
 */

// Config: load and validate the four kinds of YAML file
export type {
  ConfigIssue,
  ConfigKind,
  KnowledgeSilo,
  KnowledgeSource,
  McpGatewayConfig,
  PipelineConfig,
  PipelineStage,
  RouterRules,
  Tier,
  ValidateConfigOptions,
  WorkerConfig,
} from "./config/index.js";
export {
  ConfigValidationError,
  formatIssue,
  loadMcpConfig,
  loadPipelineConfig,
  loadRouterRules,
  loadWorkerConfig,
  loadWorkerConfigs,
  validateConfigFile,
} from "./config/index.js";
export type { SchemaViolation } from "./contracts/validate.js";
export { validateAgainstSchema } from "./contracts/validate.js";
// Errors
export type { LoomErrorOptions } from "./errors.js";
export { ErrorCategory, ErrorCode, LoomError } from "./errors.js";
// LLM backends and tier settings
export type { LlmBackend, LlmRequest, LlmResponse, LoomSettings, TierSettings } from "./llm/index.js";
export { extractJson, loadSettings } from "./llm/index.js";
// MCP gateway
export type {
  CreateServerOptions,
  GatewayLogger,
  HttpHandle,
  StdioHandle,
  StdioOptions,
  StreamableHttpOptions,
  ToolSpec,
} from "./mcp/index.js";
export { createServer, createToolServer, LoomMcpServer, runStdio, runStreamableHttp } from "./mcp/index.js";
// Pipelines
export type { Goal, PipelineEvent, PipelineResult, RunGoalOptions, StageOutcome } from "./pipeline/index.js";
export { PipelineRunner } from "./pipeline/index.js";
// Router rules: a layer around any Dispatcher (tier overrides, rate limits, dead letters)
export type {
  DispatcherLayer,
  LimiterStore,
  RouterDispatcherOptions,
  RouterLayerOptions,
  RouterLogger,
} from "./router/index.js";
export { loadRouterLayer, MemoryLimiterStore, RouterDispatcher, routerLayer } from "./router/index.js";
// Tracing (OpenTelemetry, loaded only by enableTelemetry)
export {
  enableTelemetry,
  shutdownTelemetry,
  type TelemetryOptions,
  telemetryRequested,
} from "./telemetry/enable.js";
// Workers: the one seam (executeTask + Dispatcher), processors, tools, embeddings
export type { ProcessGuardOptions, StrayError } from "./worker/backend-guard.js";
export { installProcessGuard } from "./worker/backend-guard.js";
export type { Dispatcher, DispatchOptions, TaskProgress } from "./worker/dispatcher.js";
export type { EmbeddingProvider, EmbedOptions } from "./worker/embeddings.js";
export type { ExecuteContext } from "./worker/execute-task.js";
export { executeTask } from "./worker/execute-task.js";
export type { LocalDispatcherOptions } from "./worker/local-dispatcher.js";
export { LocalDispatcher } from "./worker/local-dispatcher.js";
export type { TaskError, TaskMessage, TaskResult, TokenUsage } from "./worker/messages.js";
export type { OllamaEmbeddingProviderOptions } from "./worker/ollama-embeddings.js";
export { OllamaEmbeddingProvider } from "./worker/ollama-embeddings.js";
export type { ProcessingConfig, ProcessingResult, ProcessOptions } from "./worker/processor.js";
export { BackendError, ProcessingBackend, SyncProcessingBackend } from "./worker/processor.js";
export type { ToolDefinition, ToolExecuteOptions } from "./worker/tools.js";
export { SyncToolProvider, ToolProvider } from "./worker/tools.js";
// Workspace
export { WorkspaceError, WorkspaceManager, type WorkspaceManagerOptions } from "./workspace/index.js";
