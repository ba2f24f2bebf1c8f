/**
 * LLM access: the `LlmBackend` contract, its Ollama / OpenAI-compatible / Anthropic
 * implementations, tier resolution from settings, retries, and JSON extraction from model text.
 */

export { AnthropicBackend, DEFAULT_ANTHROPIC_URL } from "./anthropic-backend.js";
export {
  BACKEND_KINDS,
  BackendKind,
  DEFAULT_RETRY_POLICY,
  type LlmBackend,
  type LlmBackendOptions,
  type LlmMessage,
  type LlmRequest,
  type LlmResponse,
  type LlmStopReason,
  type LlmToolCall,
  type LlmToolResult,
  type RetryPolicy,
} from "./backend.js";
export { extractJson, type JsonExtraction } from "./json-extract.js";
export { DEFAULT_OLLAMA_URL, OllamaBackend } from "./ollama-backend.js";
export { DEFAULT_OPENAI_URL, OpenAIBackend } from "./openai-backend.js";
export { describeFailure, type FailureInfo, withRetries } from "./retry.js";
export {
  type LoadSettingsOptions,
  type LoomSettings,
  loadSettings,
  parseSettings,
  type TierSettings,
  userSettingsPath,
} from "./settings.js";
export {
  createBackend,
  DEFAULT_MODELS,
  type ResolvedTier,
  resolveTier,
  unreachableMessage,
} from "./tiers.js";
