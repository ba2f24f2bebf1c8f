/**
 * The SQL of the BM25 fallback (k1 = 1.2, b = 0.75, DuckDB fts's formula and tokenization):
 * building the postings index, searching it, scanning a table without it, and the table
 * fingerprint that says whether an index is still current. Names are validated identifiers.
 */

/** BM25 parameters, as DuckDB's fts extension uses by default. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** Token boundary: anything that is not a letter or a digit (tokens are lower-cased first). */
export const TOKEN_SPLIT_REGEX = "[^\\p{L}\\p{N}]+";

/** What is indexed: a table, its id column and its text columns (validated, unquoted). */
export interface Bm25Source {
  table: string;
  idColumn: string;
  fields: string[];
}

/** SQL names (quoted, qualified when `catalog` is given) of one index: postings, document frequencies, totals. */
export interface Bm25TableNames {
  postings: string;
  df: string;
  stats: string;
}

/**
 * The index tables of a table. Without `suffix` they are the TEMP tables of a connection
 * (`"loom_bm25_<table>"`, ...); with `catalog` and `suffix`, tables of an attached database.
 */
export function bm25TableNames(
  table: string,
  place: { catalog?: string; suffix?: string } = {},
): Bm25TableNames {
  const prefix = place.catalog ? `"${place.catalog}".main.` : "";
  const suffix = place.suffix ?? table;
  return {
    postings: `${prefix}"loom_bm25_${suffix}"`,
    df: `${prefix}"loom_bm25_df_${suffix}"`,
    stats: `${prefix}"loom_bm25_stats_${suffix}"`,
  };
}

/** The text of a document: its text columns joined by spaces (NULLs skipped). */
function documentSql(fields: string[], alias = ""): string {
  return `concat_ws(' ', ${fields.map((field) => `CAST(${alias}"${field}" AS VARCHAR)`).join(", ")})`;
}

/** The non-empty lower-cased tokens of `text` (an SQL expression) as a list. */
function tokensSql(text: string): string {
  return `list_filter(string_split_regex(lower(${text}), '${TOKEN_SPLIT_REGEX}'), x -> x <> '')`;
}

/**
 * The fallback search query over a built index. Parameters: 1 = query text, 2 = limit. `select`
 * lists the (quoted, qualified by `t.`) result columns; the relevance column is `_relevance`
 * (named apart from any `score` column of the table). Score of a document: the sum over distinct
 * query terms of idf · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)),
 * idf = ln(1 + (N − df + 0.5)/(df + 0.5)) (the fts extension's formula).
 */
export function bm25SearchSql(options: {
  table: string;
  idColumn: string;
  select: string;
  names?: Bm25TableNames;
}): string {
  const id = `"${options.idColumn}"`;
  const names = options.names ?? bm25TableNames(options.table);
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

/**
 * The same ranking as {@link bm25SearchSql} computed straight from the table, without an index:
 * one pass that tokenizes every document but keeps only the query's terms. Slower (it reads all
 * the text), so it answers only while no current index exists. Same parameters and shape.
 */
export function bm25ScanSql(options: Bm25Source & { select: string }): string {
  const id = `"${options.idColumn}"`;
  return (
    `WITH q AS (SELECT list_distinct(${tokensSql("?")}) AS terms),` +
    ` d AS MATERIALIZED (SELECT doc_id, len(tokens) AS dl, list_filter(tokens, x -> list_contains(q.terms, x)) AS hits` +
    `   FROM (SELECT ${id} AS doc_id, ${tokensSql(documentSql(options.fields))} AS tokens FROM main."${options.table}"), q),` +
    ` s AS (SELECT count(*) AS n, sum(dl) / count(*) AS avgdl FROM d),` +
    ` p AS (SELECT doc_id, dl, unnest(map_keys(h)) AS term, unnest(map_values(h)) AS tf` +
    `   FROM (SELECT doc_id, dl, list_aggregate(hits, 'histogram') AS h FROM d WHERE len(hits) > 0)),` +
    ` w AS (SELECT term, ln(1 + (s.n - count(*) + 0.5) / (count(*) + 0.5)) AS idf FROM p CROSS JOIN s GROUP BY term, s.n),` +
    ` top AS (SELECT p.doc_id, sum(w.idf * p.tf * (${BM25_K1} + 1)` +
    `   / (p.tf + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * p.dl / s.avgdl))) AS score` +
    `   FROM p JOIN w ON p.term = w.term CROSS JOIN s` +
    `   GROUP BY p.doc_id ORDER BY score DESC, p.doc_id LIMIT ?)` +
    ` SELECT ${options.select}, top.score AS _relevance FROM top JOIN main."${options.table}" t ON t.${id} = top.doc_id` +
    ` ORDER BY top.score DESC, t.${id}`
  );
}

/**
 * Builds an index. Postings: one row per (term, document) with the term's count and the
 * document's length, sorted by term so a query reads only the row groups of its terms. Counts
 * are taken per document (a histogram of its token list), far cheaper than one GROUP BY over
 * every token. Document frequencies and totals (N counts documents without tokens too) go beside.
 * `create` is `CREATE OR REPLACE TEMP TABLE` for TEMP names, `CREATE TABLE` for fresh ones.
 */
export function bm25BuildSql(source: Bm25Source, names: Bm25TableNames, create: string): string {
  return (
    `${create} ${names.postings} AS SELECT term, doc_id, tf::INTEGER AS tf, dl::INTEGER AS dl FROM` +
    ` (SELECT doc_id, dl, unnest(map_keys(h)) AS term, unnest(map_values(h)) AS tf FROM` +
    ` (SELECT doc_id, len(tokens) AS dl, list_aggregate(tokens, 'histogram') AS h FROM` +
    ` (SELECT "${source.idColumn}" AS doc_id, ${tokensSql(documentSql(source.fields))} AS tokens` +
    ` FROM main."${source.table}")))` +
    " ORDER BY term;" +
    ` ${create} ${names.df} AS SELECT term, count(*) AS df FROM ${names.postings} GROUP BY term;` +
    ` ${create} ${names.stats} AS SELECT n, (SELECT sum(tf) FROM ${names.postings}) / n AS avgdl` +
    ` FROM (SELECT count(*) AS n FROM main."${source.table}");`
  );
}

/**
 * One row (`fingerprint`) that changes when the indexed content does: the row count and an
 * order-independent checksum of each row's id and text.
 */
export function bm25FingerprintSql(source: Bm25Source): string {
  return (
    `SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash("${source.idColumn}", ${documentSql(source.fields)})), 0)::VARCHAR` +
    ` AS fingerprint FROM main."${source.table}"`
  );
}
