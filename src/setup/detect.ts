/**
 * What `loom setup` finds on this machine: an Ollama server and its models, OpenAI-compatible
 * servers (LM Studio, vLLM, llama.cpp) and their models, and which API keys the environment holds.
 * Every probe is a short GET with a timeout, all in parallel, so a machine with nothing running
 * is answered in about one timeout.
 */
import { DEFAULT_OLLAMA_URL } from "../llm/ollama-backend.js";
import { normalizeOllamaHost } from "../llm/settings.js";

/** OpenAI-compatible servers that usually run on a developer machine, by their default port. */
export const KNOWN_OPENAI_SERVERS: readonly { name: string; url: string }[] = [
  { name: "LM Studio", url: "http://localhost:1234/v1" },
  { name: "vLLM", url: "http://localhost:8000/v1" },
  { name: "llama.cpp", url: "http://localhost:8080/v1" },
];

/** A server that was probed. `models` is empty when it is unreachable or serves none. */
export interface ProbedServer {
  name: string;
  url: string;
  reachable: boolean;
  models: string[];
  /** Why it is unreachable (connection refused, timeout, HTTP status). */
  error?: string;
}

/** Everything detection found. Keys are reported as present or not, never their value. */
export interface Detection {
  ollama: ProbedServer;
  openaiServers: ProbedServer[];
  keys: { anthropic: boolean; openai: boolean };
}

export interface DetectOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Ollama to probe. @default $OLLAMA_HOST, else http://localhost:11434 */
  ollamaHost?: string;
  /** An OpenAI-compatible server to probe before the known ones. @default $OPENAI_BASE_URL when set */
  openaiBaseUrl?: string;
  /** The OpenAI-compatible servers to probe. @default {@link KNOWN_OPENAI_SERVERS} */
  openaiServers?: readonly { name: string; url: string }[];
  /** Per probe. @default 1500 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * Probes Ollama, the OpenAI-compatible servers and the environment's keys, in parallel.
 *
 * @example const found = await detect(); found.ollama.reachable && found.ollama.models
 */
export async function detect(options: DetectOptions = {}): Promise<Detection> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 1500;
  const doFetch = options.fetch ?? globalThis.fetch;
  const ollamaUrl = trimSlash(
    normalizeOllamaHost(options.ollamaHost ?? (env.OLLAMA_HOST || DEFAULT_OLLAMA_URL)),
  );
  const extra = options.openaiBaseUrl ?? env.OPENAI_BASE_URL;
  const servers = [
    ...(extra ? [{ name: "OpenAI-compatible server", url: trimSlash(extra) }] : []),
    ...(options.openaiServers ?? KNOWN_OPENAI_SERVERS).filter(
      (s) => trimSlash(s.url) !== trimSlash(extra ?? ""),
    ),
  ];
  const [ollama, ...openaiServers] = await Promise.all([
    probe("Ollama", ollamaUrl, "/api/tags", ollamaModels, doFetch, timeoutMs),
    ...servers.map((s) => probe(s.name, trimSlash(s.url), "/models", openaiModels, doFetch, timeoutMs)),
  ]);
  return {
    ollama: ollama!,
    openaiServers,
    keys: { anthropic: Boolean(env.ANTHROPIC_API_KEY), openai: Boolean(env.OPENAI_API_KEY) },
  };
}

/** Ollama embedding models among `models` (by name: nomic-embed-text, mxbai-embed-large, bge-…). */
export function embeddingModels(models: readonly string[]): string[] {
  return models.filter((m) => /embed|bge|minilm|e5-/i.test(m));
}

/** Models good for chat: every model that is not an embedding model. */
export function chatModels(models: readonly string[]): string[] {
  const embed = new Set(embeddingModels(models));
  return models.filter((m) => !embed.has(m));
}

async function probe(
  name: string,
  url: string,
  endpoint: string,
  models: (body: unknown) => string[],
  doFetch: typeof fetch,
  timeoutMs: number,
): Promise<ProbedServer> {
  try {
    const response = await doFetch(`${url}${endpoint}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return { name, url, reachable: false, models: [], error: `HTTP ${response.status} from ${endpoint}` };
    }
    return { name, url, reachable: true, models: models(await response.json().catch(() => undefined)) };
  } catch (error) {
    return { name, url, reachable: false, models: [], error: probeError(error, timeoutMs) };
  }
}

function probeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  if (e.cause?.code === "ECONNREFUSED") return "connection refused";
  return e.cause?.code ?? e.cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function ollamaModels(body: unknown): string[] {
  const list = (body as { models?: unknown } | undefined)?.models;
  return Array.isArray(list) ? list.map((m) => (m as { name?: unknown }).name).filter(isString) : [];
}

function openaiModels(body: unknown): string[] {
  const list = (body as { data?: unknown } | undefined)?.data;
  return Array.isArray(list) ? list.map((m) => (m as { id?: unknown }).id).filter(isString) : [];
}

function isString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
