/**
 * DuckDBVectorTool (guide Part 11): finds records similar to a natural-language query using
 * embeddings stored in DuckDB. The query is embedded at search time (Ollama by default).
 */
import { LoomError } from "../../errors.js";
import type { EmbeddingProvider } from "../../worker/embeddings.js";
import { type ToolDefinition, type ToolExecuteOptions, ToolProvider } from "../../worker/tools.js";
import { type DuckDBSession, LazySession, openDuckDB } from "./database.js";
import { checkIdent, DEFAULT_LIMIT, readLimit, readText } from "./sql.js";
import {
  createEmbeddingProvider,
  type EmbeddingProviderOptions,
  prepareVectorRanking,
  rankBySimilarity,
  type VectorRanking,
} from "./vector-search.js";

/** `config` of a `knowledge_silos` entry using `loom.contrib.duckdb.DuckDBVectorTool`. */
export interface DuckDBVectorToolOptions {
  /** The DuckDB file (opened read-only). */
  db_path: string;
  table_name: string;
  /** Columns returned. @default every column but the embedding and full-text ones */
  result_columns?: string[];
  /** @default "embedding" */
  embedding_column?: string;
  /** Left out of the default result columns. @default "full_text" */
  full_text_column?: string;
  /** @default "find_similar" */
  tool_name?: string;
  /** @default "Find records of <table_name> similar in meaning to a query" */
  description?: string;
  /** Ollama embedding model; must be the one the table was embedded with. @default "nomic-embed-text" */
  embedding_model?: string;
  /** Ollama base URL. @default OLLAMA_HOST or http://localhost:11434 */
  ollama_url?: string;
  /** Same as `ollama_url`. */
  embedding_base_url?: string;
  /** Most rows one call returns (also the default). @default 20 */
  max_results?: number;
  /** An embedding provider to use instead of Ollama (code only, not YAML). */
  embedding_provider?: EmbeddingProvider;
}

interface VectorState {
  session: DuckDBSession;
  ranking: VectorRanking;
  embedder: EmbeddingProvider;
}

/**
 * Ranks a table's rows by cosine similarity of their embeddings to the embedded query.
 *
 * @example
 * const tool = new DuckDBVectorTool({ db_path: "data.duckdb", table_name: "records", tool_name: "find_similar" });
 * const text = await tool.execute({ query: "late delivery complaints", limit: 5 });
 */
export class DuckDBVectorTool extends ToolProvider {
  readonly #options: DuckDBVectorToolOptions;
  readonly #table: string;
  readonly #embeddingColumn: string;
  readonly #name: string;
  readonly #maxResults: number;
  readonly #embedding: EmbeddingProviderOptions;
  readonly #state = new LazySession<VectorState>(() => this.#connect());

  constructor(options: DuckDBVectorToolOptions) {
    super();
    if (typeof options?.db_path !== "string" || options.db_path === "") {
      throw new LoomError("config_error", "DuckDBVectorTool config.db_path: a DuckDB file path is required");
    }
    this.#options = options;
    this.#table = checkIdent(options.table_name, "DuckDBVectorTool config.table_name");
    this.#embeddingColumn = checkIdent(
      options.embedding_column ?? "embedding",
      "DuckDBVectorTool config.embedding_column",
    );
    this.#name = checkIdent(options.tool_name ?? "find_similar", "DuckDBVectorTool config.tool_name");
    for (const [i, column] of (options.result_columns ?? []).entries()) {
      checkIdent(column, `DuckDBVectorTool config.result_columns[${i}]`);
    }
    const max = options.max_results ?? DEFAULT_LIMIT;
    if (!Number.isInteger(max) || max < 1) {
      throw new LoomError(
        "config_error",
        `DuckDBVectorTool config.max_results: expected a positive integer (got ${max})`,
      );
    }
    this.#maxResults = max;
    const baseUrl = options.ollama_url ?? options.embedding_base_url;
    this.#embedding = {
      ...(options.embedding_provider ? { provider: options.embedding_provider } : {}),
      ...(options.embedding_model ? { model: options.embedding_model } : {}),
      ...(baseUrl ? { baseUrl } : {}),
    };
  }

  override getDefinition(): ToolDefinition {
    return {
      name: this.#name,
      description:
        this.#options.description ?? `Find records of ${this.#table} similar in meaning to a query`,
      input_schema: {
        type: "object",
        required: ["query"],
        properties: {
          query: { type: "string", minLength: 1, description: "What to look for, in plain words." },
          limit: { type: "integer", minimum: 1, maximum: this.#maxResults, default: this.#maxResults },
        },
        additionalProperties: false,
      },
    };
  }

  override async execute(args: Record<string, unknown>, options?: ToolExecuteOptions): Promise<string> {
    const query = readText(args, "query", this.#name);
    const limit = readLimit(args, "limit", this.#maxResults, this.#maxResults);
    const state = await this.#state.get();
    const rows = await rankBySimilarity(
      state.session,
      state.ranking,
      state.embedder,
      query,
      limit,
      options?.signal,
    );
    return JSON.stringify({ query, results: rows, count: rows.length });
  }

  override async close(): Promise<void> {
    await this.#state.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Reads the table's columns at first use: result columns default to all but vectors and full text. */
  async #connect(): Promise<VectorState> {
    const session = await openDuckDB(this.#options.db_path);
    try {
      const columns = await session.columnsOf(this.#table, "DuckDBVectorTool config.table_name");
      const names = columns.map((c) => c.name);
      const fullText = this.#options.full_text_column ?? "full_text";
      const resultColumns =
        this.#options.result_columns ?? names.filter((n) => n !== this.#embeddingColumn && n !== fullText);
      const missing = resultColumns.filter((n) => !names.includes(n));
      if (missing.length > 0) {
        throw new LoomError(
          "config_error",
          `DuckDBVectorTool config.result_columns: '${this.#table}' has no column ${missing.join(", ")} (columns: ${names.join(", ")})`,
          { details: { missing, columns: names } },
        );
      }
      const ranking = await prepareVectorRanking(session, {
        table: this.#table,
        column: this.#embeddingColumn,
        select: resultColumns.map((n) => `t."${n}"`).join(", "),
        columnType: columns.find((c) => c.name === this.#embeddingColumn)?.type,
      });
      const embedder = await createEmbeddingProvider(this.#embedding);
      return { session, ranking, embedder };
    } catch (error) {
      await session.close();
      throw error;
    }
  }
}
