/**
 * Pulling an Ollama model for `loom setup`, with progress as a percentage of the bytes.
 */
import { Ollama } from "ollama";

/** Progress of a pull: Ollama's status line and, while downloading, the percentage done. */
export interface PullProgress {
  status: string;
  percent?: number;
}

export interface PullModelOptions {
  /** Called for each progress message Ollama streams. */
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
}

/**
 * Pulls `model` into the Ollama at `host`. Throws Ollama's error (e.g. an unknown model).
 *
 * @example await pullModel("http://localhost:11434", "llama3.2:3b", { onProgress: (p) => log(p.status) });
 */
export async function pullModel(host: string, model: string, options: PullModelOptions = {}): Promise<void> {
  const client = new Ollama({ host });
  const stream = await client.pull({ model, stream: true });
  const abort = () => stream.abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    for await (const part of stream) {
      const percent = part.total ? Math.floor(((part.completed ?? 0) / part.total) * 100) : undefined;
      options.onProgress?.({ status: part.status, ...(percent === undefined ? {} : { percent }) });
    }
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}
