/**
 * The plan `loom setup` writes: a backend and model per tier, the servers' URLs and the embedding
 * model. {@link choosePlan} picks sensible defaults from a {@link Detection} and the user's flags;
 * the interactive wizard starts from the same plan and lets the user change it.
 */
import { TIERS, type Tier } from "../config/types.js";
import type { BackendKind } from "../llm/backend.js";
import { DEFAULT_MODELS } from "../llm/tiers.js";
import { DEFAULT_EMBEDDING_MODEL } from "../worker/ollama-embeddings.js";
import { chatModels, type Detection, embeddingModels } from "./detect.js";

/** The local model setup offers (and pulls) when Ollama is there. */
export const DEFAULT_LOCAL_MODEL = "llama3.2:3b";

/** One tier's choice. */
export interface TierChoice {
  backend: BackendKind;
  model: string;
  /** An OpenAI-compatible server of this tier only (LM Studio, vLLM, llama.cpp), as `base_url`. */
  baseUrl?: string;
}

/** What setup writes. Keys are only present when the user agreed to store them in the file. */
export interface SetupPlan {
  tiers: Record<Tier, TierChoice>;
  /** Written as `ollama.host` when some tier uses Ollama. */
  ollamaHost?: string;
  /** Written as `embedding.model` when there is one. */
  embeddingModel?: string;
  /** API keys to store in the file (mode 0600). */
  keys: { anthropic?: string; openai?: string };
  /** Nothing usable was found: the file says how to fix it. */
  nothingFound: boolean;
}

/** Choices given on the command line; each wins over what detection suggests. */
export interface SetupChoiceFlags {
  localBackend?: BackendKind;
  localModel?: string;
  standardBackend?: BackendKind;
  standardModel?: string;
  frontierBackend?: BackendKind;
  frontierModel?: string;
  embeddingModel?: string;
  ollamaHost?: string;
  openaiBaseUrl?: string;
}

/**
 * Picks a plan: local is Ollama with `llama3.2:3b` when Ollama answers, else the first model of an
 * OpenAI-compatible server; standard and frontier use Anthropic or OpenAI when their key is set,
 * else the local choice. With nothing found, local falls back to Ollama `llama3.2:3b` (Loom's
 * default) and `nothingFound` is set.
 *
 * @example const plan = choosePlan(await detect(), { localModel: "qwen2.5:7b" });
 */
export function choosePlan(found: Detection, flags: SetupChoiceFlags = {}): SetupPlan {
  const server = found.openaiServers.find((s) => s.reachable && s.models.length > 0);
  const ollamaUp = found.ollama.reachable;
  const nothingFound = !ollamaUp && !server && !found.keys.anthropic && !found.keys.openai;
  const serverUrl = flags.openaiBaseUrl ?? server?.url;
  // A tier on the OpenAI backend goes to the local server unless it was picked for OPENAI_API_KEY.
  const choice = (
    tier: Tier,
    backend: BackendKind,
    model: string | undefined,
    forKey: boolean,
  ): TierChoice => {
    const baseUrl = backend === "openai" && !(forKey && !flags.openaiBaseUrl) ? serverUrl : undefined;
    return {
      backend,
      model: model ?? defaultModel(backend, tier, found, baseUrl),
      ...(baseUrl ? { baseUrl } : {}),
    };
  };
  const local = choice(
    "local",
    flags.localBackend ?? (ollamaUp || !server ? "ollama" : "openai"),
    flags.localModel,
    false,
  );
  const remote: BackendKind | undefined = found.keys.anthropic
    ? "anthropic"
    : found.keys.openai
      ? "openai"
      : undefined;
  const upper = (tier: "standard" | "frontier", backend?: BackendKind, model?: string): TierChoice => {
    if (backend) return choice(tier, backend, model, backend === remote);
    if (remote) return choice(tier, remote, model, true);
    return { ...local, ...(model ? { model } : {}) };
  };
  const tiers: Record<Tier, TierChoice> = {
    local,
    standard: upper("standard", flags.standardBackend, flags.standardModel),
    frontier: upper("frontier", flags.frontierBackend, flags.frontierModel),
  };
  const usesOllama = TIERS.some((t) => tiers[t].backend === "ollama");
  const embedding = flags.embeddingModel ?? embeddingModels(found.ollama.models)[0];
  return {
    tiers,
    ...(usesOllama || flags.ollamaHost ? { ollamaHost: flags.ollamaHost ?? found.ollama.url } : {}),
    ...(embedding ? { embeddingModel: embedding } : {}),
    keys: {},
    nothingFound,
  };
}

/** The model a backend gets by default for a tier, preferring what the server actually has. */
export function defaultModel(
  backend: BackendKind,
  tier: Tier,
  found: Detection,
  openaiBaseUrl?: string,
): string {
  if (backend === "ollama") {
    const have = chatModels(found.ollama.models);
    if (have.length === 0 || have.includes(DEFAULT_LOCAL_MODEL)) return DEFAULT_LOCAL_MODEL;
    return have[0] ?? DEFAULT_LOCAL_MODEL;
  }
  if (backend === "openai" && openaiBaseUrl) {
    const server = found.openaiServers.find((s) => s.url === openaiBaseUrl);
    const first = server?.models[0];
    if (first) return first;
  }
  return DEFAULT_MODELS[backend][tier];
}

/** The embedding model to suggest when Ollama has none. */
export const SUGGESTED_EMBEDDING_MODEL = DEFAULT_EMBEDDING_MODEL;
