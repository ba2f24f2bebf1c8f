/**
 * The config layer: load the four kinds of YAML file the guide shows (worker, pipeline, MCP
 * gateway, router rules) into typed models, and validate them with positioned issues.
 */

export { CONFIG_DEFINITIONS, configJsonSchema, QUERY_ACTIONS, schemaFileName } from "./definitions/index.js";
export { detectKind } from "./detect-kind.js";
export { ConfigFileCache } from "./file-cache.js";
export { type ConfigIssue, ConfigValidationError, formatIssue, hasErrors } from "./issues.js";
export { findSchemaProblems, type SchemaProblem } from "./json-schema-check.js";
export {
  type LoadConfigOptions,
  loadMcpConfig,
  loadPipelineConfig,
  loadRouterRules,
  loadWorkerConfig,
  loadWorkerConfigs,
} from "./loaders.js";
export { resolveSchemaRef } from "./schema-refs.js";
export { workerConfigWithDefaults } from "./to-model.js";
export * from "./types.js";
export { type ValidateConfigOptions, validateConfigFile } from "./validate-file.js";
export { findWorkersDir } from "./workers-dir.js";
