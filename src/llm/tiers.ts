/**
 * Tier resolution: `local | standard | frontier` → a backend and a model, from {@link LoomSettings}.
 * Defaults: local → Ollama `llama3.2:3b`; standard/frontier → Anthropic when ANTHROPIC_API_KEY is
 * set, else an OpenAI-compatible server when OPENAI_BASE_URL/OPENAI_API_KEY is. A tier with no
 * usable backend is a `config_error` that says which setting to add.
 */
import type { Tier } from "../config/types.js";
import { LoomError } from "../errors.js";
import { AnthropicBackend, DEFAULT_ANTHROPIC_URL } from "./anthropic-backend.js";
import type { BackendKind, LlmBackend, LlmBackendOptions } from "./backend.js";
import { DEFAULT_MODELS } from "./default-models.js";
import { DEFAULT_OLLAMA_URL, OllamaBackend } from "./ollama-backend.js";
import { DEFAULT_OPENAI_URL, OpenAIBackend } from "./openai-backend.js";
import type { LoomSettings } from "./settings.js";

export { DEFAULT_MODELS } from "./default-models.js";

/** A tier made concrete. */
export interface ResolvedTier {
  tier: Tier;
  backend: LlmBackend;
  model: string;
  /** Whether to send the output schema as a structured-output constraint. */
  structuredOutput: boolean;
}

const backends = new Map<string, LlmBackend>();

/**
 * Resolves `tier` against `settings`. Backend clients are shared per (kind, URL, key).
 * Throws `config_error` naming the setting to add when the tier has no usable backend.
 *
 * @example const { backend, model } = resolveTier("local", await loadSettings());
 */
export function resolveTier(tier: Tier, settings: LoomSettings): ResolvedTier {
  const configured = settings.tiers[tier];
  const kind: BackendKind | undefined =
    configured?.backend ??
    (tier === "local"
      ? "ollama"
      : settings.anthropic.apiKey
        ? "anthropic"
        : settings.openai.baseUrl || settings.openai.apiKey
          ? "openai"
          : undefined);
  if (kind === undefined) {
    throw new LoomError(
      "config_error",
      `no LLM backend for tier ${tier}: set ANTHROPIC_API_KEY, or OPENAI_BASE_URL (+ OPENAI_API_KEY), ` +
        `or configure tiers.${tier} in loom.yaml`,
      { details: { tier } },
    );
  }
  const options: LlmBackendOptions = { retry: settings.retry };
  let model = configured?.model;
  if (kind === "ollama") {
    options.baseUrl = configured?.baseUrl ?? settings.ollama.host ?? DEFAULT_OLLAMA_URL;
  } else if (kind === "anthropic") {
    options.baseUrl = configured?.baseUrl ?? settings.anthropic.baseUrl ?? DEFAULT_ANTHROPIC_URL;
    options.apiKey = configured?.apiKey ?? settings.anthropic.apiKey;
    if (!options.apiKey) {
      throw new LoomError(
        "config_error",
        `no LLM backend for tier ${tier}: it uses anthropic but no API key is set: set ANTHROPIC_API_KEY ` +
          `or tiers.${tier}.api_key in loom.yaml`,
        { details: { tier, backend: kind } },
      );
    }
  } else {
    options.baseUrl = configured?.baseUrl ?? settings.openai.baseUrl ?? DEFAULT_OPENAI_URL;
    options.apiKey = configured?.apiKey ?? settings.openai.apiKey;
    const isOpenAI = options.baseUrl.startsWith(DEFAULT_OPENAI_URL);
    if (isOpenAI && !options.apiKey) {
      throw new LoomError(
        "config_error",
        `no LLM backend for tier ${tier}: it uses OpenAI at ${options.baseUrl} but no API key is set: ` +
          `set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server`,
        { details: { tier, backend: kind } },
      );
    }
    if (!isOpenAI && !model) {
      throw new LoomError(
        "config_error",
        `no model for tier ${tier} on the OpenAI-compatible server at ${options.baseUrl}: set ` +
          `LOOM_${tier.toUpperCase()}_MODEL or tiers.${tier}.model in loom.yaml`,
        { details: { tier, backend: kind } },
      );
    }
  }
  model ??= DEFAULT_MODELS[kind][tier];
  return {
    tier,
    backend: sharedBackend(kind, options),
    model,
    structuredOutput: configured?.structuredOutput ?? true,
  };
}

/** Builds a backend of `kind` (a new client each call; {@link resolveTier} shares them). */
export function createBackend(kind: BackendKind, options: LlmBackendOptions = {}): LlmBackend {
  if (kind === "ollama") return new OllamaBackend(options);
  if (kind === "anthropic") return new AnthropicBackend(options);
  return new OpenAIBackend(options);
}

function sharedBackend(kind: BackendKind, options: LlmBackendOptions): LlmBackend {
  const key = JSON.stringify([kind, options.baseUrl, options.apiKey, options.retry]);
  let backend = backends.get(key);
  if (!backend) {
    backend = createBackend(kind, options);
    backends.set(key, backend);
  }
  return backend;
}

/**
 * The message for a backend nothing listens at, with what to do about it. For Ollama (the default
 * local tier) it says how to start it — the MCP quick start depends on this being helpful.
 */
export function unreachableMessage(resolved: ResolvedTier): string {
  const { tier, backend, model } = resolved;
  if (backend.kind === "ollama") {
    return (
      `no LLM backend for tier ${tier}: Ollama at ${backend.url} is not reachable ` +
      `(start Ollama: ollama serve && ollama pull ${model}) or set OLLAMA_HOST / configure tiers.${tier} in loom.yaml`
    );
  }
  const setting = backend.kind === "anthropic" ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL";
  return (
    `no LLM backend for tier ${tier}: ${backend.kind} at ${backend.url} is not reachable ` +
    `(start the server, or set ${setting} / configure tiers.${tier} in loom.yaml)`
  );
}
