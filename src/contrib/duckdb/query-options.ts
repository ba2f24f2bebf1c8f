/**
 * Options of {@link DuckDBQueryBackend}: the guide's snake_case `backend_config` keys, checked
 * and defaulted once, in the constructor.
 */
import { LoomError } from "../../errors.js";
import type { EmbeddingProvider } from "../../worker/embeddings.js";
import type { SearchEngine } from "./full-text-index.js";
import type { DuckDBLogger } from "./logger.js";
import { checkIdent, orderByClause } from "./sql.js";

/** The query actions a backend offers, in the guide's order. */
export const QUERY_ACTIONS = ["search", "filter", "stats", "get", "vector_search"] as const;
export type QueryAction = (typeof QUERY_ACTIONS)[number];

/**
 * Configuration of a {@link DuckDBQueryBackend} — a worker's `backend_config` passes straight in.
 * Table and column names must be plain identifiers. `filter_fields` predicates and
 * `stats_aggregates` are SQL written by whoever writes the config (trusted); payload values only
 * ever reach DuckDB as bound parameters.
 */
export interface DuckDBQueryBackendOptions {
  /** The DuckDB file. It must exist; it is opened read-only unless `read_only` is false. */
  db_path: string;
  /** The table (or view) to query. */
  table_name: string;
  /** Columns returned by search, filter and vector_search. @default every column but the embedding and full-text ones */
  result_columns?: string[];
  /** Columns holding JSON text, decoded in results (the guide writes a Python set). @default [] */
  json_columns?: Iterable<string>;
  /** @default "id" */
  id_column?: string;
  /** The long text column: returned by `get`, left out of lists. @default "full_text" (when the table has it) */
  full_text_column?: string;
  /** Columns indexed for `search`. @default every VARCHAR column except json_columns */
  fts_fields?: string[];
  /** `auto` uses DuckDB's fts extension when it loads, else BM25 in SQL. @default "auto" */
  search_engine?: "auto" | SearchEngine;
  /** Filter name → SQL predicate with `?` for the value, e.g. `{ min_score: "score >= ?" }`. @default {} */
  filter_fields?: Record<string, string>;
  /** Columns `stats` may group by. @default [] */
  stats_groups?: Iterable<string>;
  /** Aggregate expressions with aliases. @default ["COUNT(*) AS count"] */
  stats_aggregates?: string[];
  /** ORDER BY for `filter`: columns with ASC/DESC. @default the id column */
  default_order_by?: string;
  /** Column of FLOAT[]/DOUBLE[] (or fixed-size ARRAY) vectors for `vector_search`. @default "embedding" */
  embedding_column?: string;
  /** Embedding model for `vector_search` queries (Ollama). @default "nomic-embed-text" */
  embedding_model?: string;
  /** Ollama base URL. @default OLLAMA_HOST or http://localhost:11434 */
  embedding_base_url?: string;
  /** Alias of `embedding_base_url`, as the VectorTool config spells it. */
  ollama_url?: string;
  /** An embedding provider to use instead of Ollama (code only, not YAML). */
  embedding_provider?: EmbeddingProvider;
  /** Where to log what happens to the search index (code only, not YAML). @default stderr lines at LOOM_LOG_LEVEL */
  logger?: DuckDBLogger;
  /** Open the file read-only. Set false to let the backend build a persistent fts index. @default true */
  read_only?: boolean;
}

/** Options after checking, with defaults that need no database applied. */
export interface ResolvedQueryOptions {
  dbPath: string;
  table: string;
  resultColumns: string[] | undefined;
  jsonColumns: Set<string>;
  idColumn: string;
  fullTextColumn: string;
  ftsFields: string[] | undefined;
  searchEngine: "auto" | SearchEngine;
  filterFields: Map<string, string>;
  statsGroups: string[];
  statsAggregates: string[];
  orderBy: string | undefined;
  embeddingColumn: string;
  readOnly: boolean;
}

/** Checks a backend's options and fills in defaults; throws `config_error` naming the bad key. */
export function resolveQueryOptions(options: DuckDBQueryBackendOptions): ResolvedQueryOptions {
  if (typeof options !== "object" || options === null) {
    throw new LoomError("config_error", "DuckDBQueryBackend: backend_config must be an object");
  }
  if (typeof options.db_path !== "string" || options.db_path === "") {
    throw new LoomError("config_error", "backend_config.db_path: a DuckDB file path is required");
  }
  const idents = (value: Iterable<string> | undefined, key: string): string[] =>
    [...(value ?? [])].map((name, i) => checkIdent(name, `backend_config.${key}[${i}]`));
  const filterFields = new Map<string, string>();
  for (const [name, predicate] of Object.entries(options.filter_fields ?? {})) {
    checkIdent(name, "backend_config.filter_fields");
    if (typeof predicate !== "string" || !predicate.includes("?")) {
      throw new LoomError(
        "config_error",
        `backend_config.filter_fields.${name}: expected an SQL predicate with '?' for the value (e.g. "${name} = ?")`,
      );
    }
    filterFields.set(name, predicate);
  }
  const aggregates = options.stats_aggregates ?? ["COUNT(*) AS count"];
  if (!Array.isArray(aggregates) || aggregates.some((a) => typeof a !== "string" || a.includes(";"))) {
    throw new LoomError(
      "config_error",
      "backend_config.stats_aggregates: expected a list of aggregate expressions such as 'COUNT(*) AS record_count'",
    );
  }
  const engine = options.search_engine ?? "auto";
  if (!["auto", "fts", "bm25_sql"].includes(engine)) {
    throw new LoomError(
      "config_error",
      `backend_config.search_engine: '${String(engine)}' is not one of auto, fts, bm25_sql`,
    );
  }
  return {
    dbPath: options.db_path,
    table: checkIdent(options.table_name, "backend_config.table_name"),
    resultColumns: options.result_columns ? idents(options.result_columns, "result_columns") : undefined,
    jsonColumns: new Set(idents(options.json_columns, "json_columns")),
    idColumn: checkIdent(options.id_column ?? "id", "backend_config.id_column"),
    fullTextColumn: checkIdent(options.full_text_column ?? "full_text", "backend_config.full_text_column"),
    ftsFields: options.fts_fields ? idents(options.fts_fields, "fts_fields") : undefined,
    searchEngine: engine,
    filterFields,
    statsGroups: idents(options.stats_groups, "stats_groups"),
    statsAggregates: aggregates,
    orderBy:
      options.default_order_by === undefined
        ? undefined
        : orderByClause(options.default_order_by, "backend_config.default_order_by"),
    embeddingColumn: checkIdent(options.embedding_column ?? "embedding", "backend_config.embedding_column"),
    readOnly: options.read_only ?? true,
  };
}
