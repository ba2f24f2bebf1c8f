/**
 * The built-in {@link EmbeddingProvider} (Part 10): Ollama's `/api/embed`, through the official
 * `ollama` client. A batch is one request; the vector size is learned from the first answer.
 */
import { didYouMean } from "../config/issue-collector.js";
import { LoomError } from "../errors.js";
import type { RetryPolicy } from "../llm/backend.js";
import { DEFAULT_OLLAMA_URL, ollamaClient } from "../llm/ollama-backend.js";
import { withRetries } from "../llm/retry.js";
import { normalizeOllamaHost } from "../llm/settings.js";
import type { EmbeddingProvider, EmbedOptions } from "./embeddings.js";

export interface OllamaEmbeddingProviderOptions {
  /** @default "nomic-embed-text" */
  model?: string;
  /** @default OLLAMA_HOST, else "http://localhost:11434" */
  baseUrl?: string;
  /** The guide's name for {@link baseUrl} (Part 10); give one or the other. */
  base_url?: string;
  /** Retries of transient failures. */
  retry?: Partial<RetryPolicy>;
}

const OPTION_NAMES = ["model", "baseUrl", "base_url", "retry"] as const;

/** The base URL given, under either name; unknown option names are rejected, never ignored. */
function givenBaseUrl(options: OllamaEmbeddingProviderOptions): string | undefined {
  const unknown = Object.keys(options).filter((key) => !(OPTION_NAMES as readonly string[]).includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => `'${key}'${didYouMean(key, OPTION_NAMES)}`).join("; ");
    throw new LoomError(
      "config_error",
      `OllamaEmbeddingProvider: unknown option ${names} (options: model, baseUrl or base_url, retry)`,
      { details: { unknown, allowed: [...OPTION_NAMES] } },
    );
  }
  const { baseUrl, base_url: snake } = options;
  if (baseUrl !== undefined && snake !== undefined && baseUrl !== snake) {
    throw new LoomError(
      "config_error",
      `OllamaEmbeddingProvider: baseUrl '${baseUrl}' and base_url '${snake}' disagree; give one of them`,
      { details: { baseUrl, base_url: snake } },
    );
  }
  return baseUrl ?? snake;
}

/** The embedding model used when none is named. */
export const DEFAULT_EMBEDDING_MODEL = "nomic-embed-text";

/**
 * Embeds text with an Ollama embedding model. The guide's snake_case names (`base_url`,
 * `embed_batch`) work too; an unknown option is rejected with a did-you-mean.
 *
 * @example
 * const provider = new OllamaEmbeddingProvider({ model: "nomic-embed-text", base_url: "http://localhost:11434" });
 * const [a, b] = await provider.embedBatch(["text1", "text2"]); // or embed_batch, the guide's name
 */
export class OllamaEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly baseUrl: string;
  readonly #retry: Partial<RetryPolicy> | undefined;
  #dimensions: number | undefined;

  constructor(options: OllamaEmbeddingProviderOptions = {}) {
    const given = givenBaseUrl(options);
    this.model = options.model ?? DEFAULT_EMBEDDING_MODEL;
    const fromEnv = process.env.OLLAMA_HOST ? normalizeOllamaHost(process.env.OLLAMA_HOST) : undefined;
    this.baseUrl = (given ?? fromEnv ?? DEFAULT_OLLAMA_URL).replace(/\/+$/, "");
    this.#retry = options.retry;
  }

  /** The vector size; `undefined` until the first embedding comes back. */
  get dimensions(): number | undefined {
    return this.#dimensions;
  }

  async embed(text: string, options: EmbedOptions = {}): Promise<number[]> {
    const [vector] = await this.embedBatch([text], options);
    return vector ?? [];
  }

  async embedBatch(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const reply = await withRetries(
      { kind: "ollama", url: this.baseUrl },
      async (signal) => (await ollamaClient(this.baseUrl, signal)).embed({ model: this.model, input: texts }),
      { policy: this.#retry, signal: options.signal },
    );
    const vectors = reply.embeddings;
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw new LoomError(
        "llm_error",
        `ollama at ${this.baseUrl} returned ${Array.isArray(vectors) ? vectors.length : "no"} embeddings ` +
          `for ${texts.length} texts (model ${this.model})`,
        { category: "upstream", details: { url: this.baseUrl, model: this.model } },
      );
    }
    this.#dimensions ??= vectors[0]?.length;
    return vectors;
  }

  /** The guide's name for {@link embedBatch} (Part 10). */
  embed_batch(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    return this.embedBatch(texts, options);
  }
}
