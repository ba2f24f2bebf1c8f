/**
 * Is a tier's LLM backend there? Without spending a token: Ollama's model list (is the model
 * pulled?), an OpenAI-compatible server's model list, and for Anthropic that a key is set.
 */
import type { Tier } from "../config/types.js";
import { errorMessage } from "../errors.js";
import type { LoomSettings } from "../llm/settings.js";
import { resolveTier } from "../llm/tiers.js";
import type { CheckResult } from "./check.js";

const TIMEOUT_MS = 2000;

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return response.json();
}

export async function checkTier(tier: Tier, settings: LoomSettings): Promise<CheckResult> {
  const name = `LLM tier ${tier}`;
  let resolved: ReturnType<typeof resolveTier>;
  try {
    resolved = resolveTier(tier, settings);
  } catch (error) {
    return {
      name,
      ok: false,
      detail: errorMessage(error),
      fix: "run `loom setup`, or set the variable named above",
    };
  }
  const { backend, model } = resolved;
  const url = backend.url.replace(/\/+$/, "");
  if (backend.kind === "anthropic") {
    return { name, ok: true, detail: `anthropic ${model}, API key set` };
  }
  if (backend.kind === "ollama") {
    let models: string[];
    try {
      const tags = (await getJson(`${url}/api/tags`)) as { models?: { name?: string }[] };
      models = (tags.models ?? []).map((m) => m.name ?? "");
    } catch {
      return {
        name,
        ok: false,
        detail: `Ollama at ${url} is not reachable`,
        fix: `ollama serve (or set OLLAMA_HOST), then ollama pull ${model}`,
      };
    }
    const present = models.some(
      (m) => m === model || m === `${model}:latest` || m.replace(/:latest$/, "") === model,
    );
    return present
      ? { name, ok: true, detail: `Ollama at ${url} has ${model}` }
      : {
          name,
          ok: false,
          detail: `Ollama at ${url} does not list ${model} (it lists: ${models.join(", ") || "no models"})`,
          fix: `ollama pull ${model}`,
        };
  }
  const apiKey = settings.tiers[tier]?.apiKey ?? settings.openai.apiKey;
  try {
    const list = (await getJson(`${url}/models`, apiKey ? { authorization: `Bearer ${apiKey}` } : {})) as {
      data?: { id?: string }[];
    };
    const models = (list.data ?? []).map((m) => m.id ?? "");
    if (models.length > 0 && !models.includes(model)) {
      return {
        name,
        ok: false,
        detail: `${url} does not serve ${model} (it serves: ${models.join(", ")})`,
        fix: `set LOOM_${tier.toUpperCase()}_MODEL or tiers.${tier}.model to one of them`,
      };
    }
    return { name, ok: true, detail: `OpenAI-compatible server at ${url} serves ${model}` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `OpenAI-compatible server at ${url} is not reachable (${errorMessage(error)})`,
      fix: "start the server, or set OPENAI_BASE_URL",
    };
  }
}
