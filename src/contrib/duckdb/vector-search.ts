/**
 * Cosine-similarity ranking shared by {@link DuckDBQueryBackend}'s `vector_search` and
 * {@link DuckDBVectorTool}: embed the query, rank rows with `list_cosine_similarity` (or
 * `array_cosine_similarity` for fixed-size ARRAY columns).
 */
import { DOUBLE, LIST, listValue } from "@duckdb/node-api";
import { LoomError } from "../../errors.js";
import type { EmbeddingProvider } from "../../worker/embeddings.js";
import type { DuckDBSession, Row } from "./database.js";

export interface EmbeddingProviderOptions {
  provider?: EmbeddingProvider;
  /** @default "nomic-embed-text" (the Ollama provider's default) */
  model?: string;
  baseUrl?: string;
}

/** The injected provider, or an Ollama one (imported only when first needed). */
export async function createEmbeddingProvider(options: EmbeddingProviderOptions): Promise<EmbeddingProvider> {
  if (options.provider) return options.provider;
  const { OllamaEmbeddingProvider } = await import("../../worker/ollama-embeddings.js");
  return new OllamaEmbeddingProvider({
    ...(options.model ? { model: options.model } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
}

/** How to rank one table's vectors; built once per table by {@link prepareVectorRanking}. */
export interface VectorRanking {
  sql: string;
  /** Length of the stored vectors (from the first non-null row), undefined for an empty table. */
  dimensions: number | undefined;
  column: string;
}

/**
 * Builds the ranking SQL for `table.column` from the column's real type. Parameters:
 * 1 = query vector, 2 = limit. `select` lists result columns qualified by `t.`.
 */
export async function prepareVectorRanking(
  session: DuckDBSession,
  spec: { table: string; column: string; select: string; columnType: string | undefined },
): Promise<VectorRanking> {
  const type = spec.columnType?.toUpperCase();
  const list = /^(FLOAT|DOUBLE)\[\]$/.exec(type ?? "");
  const array = /^(FLOAT|DOUBLE)\[(\d+)\]$/.exec(type ?? "");
  if (!list && !array) {
    throw new LoomError(
      "config_error",
      `embedding_column: '${spec.table}.${spec.column}' must be FLOAT[] or DOUBLE[] (or a fixed-size ARRAY) to rank by similarity (got ${spec.columnType ?? "no such column"})`,
      { details: { table: spec.table, column: spec.column, type: spec.columnType } },
    );
  }
  const column = `"${spec.column}"`;
  const similarity = list
    ? `list_cosine_similarity(${column}, CAST(? AS ${type}))`
    : `array_cosine_similarity(${column}, CAST(? AS ${type}))`;
  const sample = await session.query(
    `SELECT len(${column}) AS n FROM main."${spec.table}" WHERE ${column} IS NOT NULL LIMIT 1`,
  );
  const dims = sample[0]?.n;
  return {
    column: spec.column,
    dimensions: typeof dims === "number" ? dims : undefined,
    sql:
      `SELECT ${spec.select}, t.__loom_similarity AS similarity FROM` +
      ` (SELECT *, ${similarity} AS __loom_similarity FROM main."${spec.table}") t` +
      ` WHERE t.__loom_similarity IS NOT NULL ORDER BY t.__loom_similarity DESC LIMIT ?`,
  };
}

/** Embeds `query` and returns the `limit` most similar rows, each with `similarity`. */
export async function rankBySimilarity(
  session: DuckDBSession,
  ranking: VectorRanking,
  embedder: EmbeddingProvider,
  query: string,
  limit: number,
  signal?: AbortSignal,
): Promise<Row[]> {
  const vector = await embedder.embed(query, signal ? { signal } : undefined);
  if (ranking.dimensions !== undefined && vector.length !== ranking.dimensions) {
    throw new LoomError(
      "config_error",
      `the embedding model returned ${vector.length}-dimensional vectors but '${ranking.column}' holds ${ranking.dimensions}-dimensional ones; use the model the table was embedded with`,
      { details: { query_dimensions: vector.length, column_dimensions: ranking.dimensions } },
    );
  }
  return session.query(ranking.sql, [listValue(vector), limit], [LIST(DOUBLE), undefined]);
}
