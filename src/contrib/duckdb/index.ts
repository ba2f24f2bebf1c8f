/**
 * DuckDB integration (guide Part 11), importable as `<package>/duckdb` and by the guide's dotted
 * names (`loom.contrib.duckdb.DuckDBQueryBackend`, ...). Only this folder imports DuckDB.
 */
export type { ActionSchema } from "./action-schemas.js";
export type { ColumnInfo, OpenDuckDBOptions, Row } from "./database.js";
export { DuckDBSession, openDuckDB } from "./database.js";
export type { FullTextIndexStatus } from "./full-text-index.js";
export { BM25_B, BM25_K1, SearchEngine } from "./full-text-index.js";
export type { DuckDBLogger } from "./logger.js";
export { DuckDBQueryBackend } from "./query-backend.js";
export type { DuckDBQueryBackendOptions, QueryAction } from "./query-options.js";
export { QUERY_ACTIONS } from "./query-options.js";
export { createSampleDatabase, hashEmbedding, SAMPLE_EMBEDDING_DIMENSIONS } from "./sample-data.js";
export { DEFAULT_LIMIT, MAX_LIMIT } from "./sql.js";
export type { DuckDBVectorToolOptions } from "./vector-tool.js";
export { DuckDBVectorTool } from "./vector-tool.js";
export type { DuckDBViewToolOptions } from "./view-tool.js";
export { DuckDBViewTool } from "./view-tool.js";
