import type { Tier } from "../config/types.js";
import type { BackendKind } from "./backend.js";

/** Default model per backend and tier. */
export const DEFAULT_MODELS: Record<BackendKind, Record<Tier, string>> = {
  ollama: { local: "llama3.2:3b", standard: "llama3.2:3b", frontier: "llama3.2:3b" },
  anthropic: { local: "claude-haiku-4-5", standard: "claude-sonnet-4-5", frontier: "claude-opus-4-1" },
  openai: { local: "gpt-4.1-mini", standard: "gpt-4.1-mini", frontier: "gpt-4.1" },
};
