/**
 * BM25 full-text search for {@link DuckDBQueryBackend}: DuckDB's `fts` extension when it can be
 * loaded, otherwise the same ranking (k1 = 1.2, b = 0.75) computed in SQL over a token table the
 * backend keeps. `INSTALL fts` needs the network, so the fallback is what runs on offline hosts.
 *
 * Where the fallback index lives: in the connection's TEMP catalog (memory). That works on a
 * read-only file, so search never needs write access; the price is one index build per backend
 * instance, on its first search (seconds for 100k documents: see bench/duckdb.ts). It is rebuilt
 * when the table changes, which can only happen while this process holds the file read-write
 * (DuckDB's file lock keeps other processes from writing while we read), so only then is a
 * change checksum computed before each search.
 */
import { LoomError } from "../../errors.js";
import type { DuckDBSession } from "./database.js";

/** Which engine answered a search. */
export const SearchEngine = { Fts: "fts", Bm25Sql: "bm25_sql" } as const;
export type SearchEngine = (typeof SearchEngine)[keyof typeof SearchEngine];

/** BM25 parameters, as DuckDB's fts extension uses by default. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** Token boundary: anything that is not a letter or a digit (tokens are lower-cased first). */
export const TOKEN_SPLIT_REGEX = "[^\\p{L}\\p{N}]+";

export interface FullTextIndexOptions {
  /** Validated table name (unquoted). */
  table: string;
  /** Validated id column (unquoted). */
  idColumn: string;
  /** Validated text columns to index (unquoted). */
  fields: string[];
  /** `auto`: fts when it loads, else bm25_sql. */
  engine: "auto" | SearchEngine;
}

/** SQL names of the fallback index tables of a table: postings, document frequencies, totals. */
export function bm25TableNames(table: string): { postings: string; df: string; stats: string } {
  return {
    postings: `"loom_bm25_${table}"`,
    df: `"loom_bm25_df_${table}"`,
    stats: `"loom_bm25_stats_${table}"`,
  };
}

/**
 * The fallback search query. Parameters: 1 = query text, 2 = limit. `select` lists the
 * (quoted, qualified by `t.`) result columns; the relevance column is `_relevance` (named apart from any `score` column of the table). Score of a document:
 * the sum over distinct query terms of idf · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)),
 * idf = ln(1 + (N − df + 0.5)/(df + 0.5)) (the fts extension's formula).
 */
export function bm25SearchSql(options: { table: string; idColumn: string; select: string }): string {
  const id = `"${options.idColumn}"`;
  const names = bm25TableNames(options.table);
  return (
    `WITH q AS (SELECT DISTINCT unnest(string_split_regex(lower(?), '${TOKEN_SPLIT_REGEX}')) AS term),` +
    ` w AS (SELECT q.term, ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5)) AS idf` +
    `   FROM q JOIN ${names.df} d ON d.term = q.term CROSS JOIN ${names.stats} s),` +
    ` top AS (SELECT p.doc_id, sum(w.idf * p.tf * (${BM25_K1} + 1)` +
    `   / (p.tf + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * p.dl / s.avgdl))) AS score` +
    `   FROM ${names.postings} p JOIN w ON p.term = w.term CROSS JOIN ${names.stats} s` +
    `   GROUP BY p.doc_id ORDER BY score DESC, p.doc_id LIMIT ?)` +
    ` SELECT ${options.select}, top.score AS _relevance FROM top JOIN main."${options.table}" t ON t.${id} = top.doc_id` +
    ` ORDER BY top.score DESC, t.${id}`
  );
}

/** The fts-extension search query; same parameters and shape as {@link bm25SearchSql}. */
export function ftsSearchSql(options: { table: string; idColumn: string; select: string }): string {
  const { table, idColumn } = options;
  return (
    `SELECT ${options.select}, t.__loom_score AS _relevance FROM (SELECT *, fts_main_${table}.match_bm25("${idColumn}", ?,` +
    ` k := ${BM25_K1}, b := ${BM25_B}) AS __loom_score FROM main."${table}") t` +
    ` WHERE t.__loom_score IS NOT NULL ORDER BY t.__loom_score DESC, t."${idColumn}" LIMIT ?`
  );
}

/** Keeps the search index of one table current and says which engine to use. */
export class FullTextIndex {
  readonly #session: DuckDBSession;
  readonly #options: FullTextIndexOptions;
  #engine: SearchEngine | undefined;
  #signature: string | undefined;
  #ready: Promise<SearchEngine> | undefined;

  constructor(session: DuckDBSession, options: FullTextIndexOptions) {
    this.#session = session;
    this.#options = options;
  }

  /** Makes sure the index exists and is current; returns the engine that will answer. */
  ensure(): Promise<SearchEngine> {
    // Concurrent searches share one build.
    this.#ready ??= this.#ensure().finally(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  /** The search SQL for the engine {@link ensure} chose. */
  searchSql(engine: SearchEngine, select: string): string {
    const spec = { table: this.#options.table, idColumn: this.#options.idColumn, select };
    return engine === SearchEngine.Fts ? ftsSearchSql(spec) : bm25SearchSql(spec);
  }

  async #ensure(): Promise<SearchEngine> {
    this.#engine ??= await this.#chooseEngine();
    // A read-only file: an fts index there is used as it is; the fallback index is built once.
    if (this.#engine === SearchEngine.Fts && !this.#session.writable) return this.#engine;
    if (this.#signature !== undefined && !this.#session.writable) return this.#engine;
    const signature = await this.#currentSignature();
    if (signature === this.#signature) return this.#engine;
    if (this.#engine === SearchEngine.Fts) await this.#buildFts();
    else await this.#buildBm25();
    this.#signature = signature;
    return this.#engine;
  }

  async #chooseEngine(): Promise<SearchEngine> {
    const wanted = this.#options.engine;
    if (wanted === SearchEngine.Bm25Sql) return SearchEngine.Bm25Sql;
    const loaded = await this.#session.exec("LOAD fts").then(
      () => true,
      () => false,
    );
    if (!loaded) {
      if (wanted === SearchEngine.Fts) {
        throw new LoomError(
          "config_error",
          "search_engine: 'fts' was asked for but DuckDB's fts extension cannot be loaded (INSTALL fts needs the network); use 'auto' to fall back to bm25_sql",
        );
      }
      return SearchEngine.Bm25Sql;
    }
    // An fts index can only be (re)built on a writable file; on a read-only one use it if present.
    if (this.#session.writable) return SearchEngine.Fts;
    const rows = await this.#session.query(
      "SELECT count(*) AS n FROM duckdb_schemas() WHERE schema_name = ?",
      [`fts_main_${this.#options.table}`],
    );
    return Number(rows[0]?.n) > 0 ? SearchEngine.Fts : SearchEngine.Bm25Sql;
  }

  /** Row count, max id and a checksum of the indexed text: changes when the table does. */
  async #currentSignature(): Promise<string> {
    if (!this.#session.writable) return "read-only";
    const { table, idColumn } = this.#options;
    const rows = await this.#session.query(
      `SELECT count(*) AS n, max("${idColumn}")::VARCHAR AS max_id,` +
        ` sum(hash(${this.#document()}))::VARCHAR AS checksum FROM main."${table}"`,
    );
    return JSON.stringify(rows[0] ?? {});
  }

  #document(): string {
    const fields = this.#options.fields.map((field) => `CAST("${field}" AS VARCHAR)`);
    return `concat_ws(' ', ${fields.join(", ")})`;
  }

  async #buildFts(): Promise<void> {
    const { table, idColumn, fields } = this.#options;
    const columns = fields.map((field) => `'${field}'`).join(", ");
    await this.#session.exec(
      `PRAGMA create_fts_index('${table}', '${idColumn}', ${columns}, stemmer = 'none', stopwords = 'none',` +
        ` ignore = '${TOKEN_SPLIT_REGEX}', strip_accents = 0, lower = 1, overwrite = 1)`,
    );
  }

  /**
   * Postings: one row per (term, document) with the term's count and the document's length,
   * sorted by term so a query reads only the row groups of its terms. Counts are taken per
   * document (a histogram of its token list), far cheaper than one GROUP BY over every token.
   * Document frequencies and totals (N counts documents without tokens too) go beside it.
   */
  async #buildBm25(): Promise<void> {
    const { table, idColumn } = this.#options;
    const names = bm25TableNames(table);
    await this.#session.exec(
      `CREATE OR REPLACE TEMP TABLE ${names.postings} AS SELECT term, doc_id, tf::INTEGER AS tf, dl::INTEGER AS dl FROM` +
        ` (SELECT doc_id, dl, unnest(map_keys(h)) AS term, unnest(map_values(h)) AS tf FROM` +
        ` (SELECT doc_id, len(tokens) AS dl, list_aggregate(tokens, 'histogram') AS h FROM` +
        ` (SELECT "${idColumn}" AS doc_id, list_filter(string_split_regex(lower(${this.#document()}),` +
        ` '${TOKEN_SPLIT_REGEX}'), x -> x <> '') AS tokens FROM main."${table}")))` +
        " ORDER BY term;" +
        ` CREATE OR REPLACE TEMP TABLE ${names.df} AS SELECT term, count(*) AS df FROM ${names.postings} GROUP BY term;` +
        ` CREATE OR REPLACE TEMP TABLE ${names.stats} AS SELECT n, (SELECT sum(tf) FROM ${names.postings}) / n AS avgdl` +
        ` FROM (SELECT count(*) AS n FROM main."${table}");`,
    );
  }
}
