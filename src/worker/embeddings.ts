/** Vector embeddings (Part 10). */

export interface EmbedOptions {
  signal?: AbortSignal;
}

/** Turns text into vectors. Implementations: `OllamaEmbeddingProvider` (ollama-embeddings.ts) or your own. */
export interface EmbeddingProvider {
  embed(text: string, options?: EmbedOptions): Promise<number[]>;
  embedBatch(texts: string[], options?: EmbedOptions): Promise<number[][]>;
  /** The vector size, when known (detected on first use by the Ollama provider). */
  readonly dimensions: number | undefined;
}
