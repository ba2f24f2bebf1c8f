/**
 * BM25 full-text search for {@link DuckDBQueryBackend}: DuckDB's `fts` extension when it can be
 * loaded, otherwise the same ranking (k1 = 1.2, b = 0.75) computed in SQL over a token index
 * (bm25-sql.ts). `INSTALL fts` needs the network, so the fallback is what runs on offline hosts.
 *
 * Where the fallback index lives: with `persist` (what the backend uses), in a side file that
 * survives restarts (bm25-store.ts, issue #18). A search never waits for a build: it is answered
 * from the stored index (even before the table's fingerprint has been checked against it, in the
 * background), else by a scan of the table with the same ranking while the index is (re)built in
 * the background. Without `persist`, in the connection's TEMP catalog, built on the first search
 * (seconds for 100k documents: see bench/duckdb.ts). The table can only change while this
 * process holds the file read-write (DuckDB's file lock keeps other processes from writing while
 * we read), so only then is its fingerprint checked again before each search.
 */
import { performance } from "node:perf_hooks";
import { errorMessage, LoomError } from "../../errors.js";
import {
  BM25_B,
  BM25_K1,
  type Bm25Source,
  bm25BuildSql,
  bm25FingerprintSql,
  bm25ScanSql,
  bm25SearchSql,
  bm25TableNames,
  TOKEN_SPLIT_REGEX,
} from "./bm25-sql.js";
import { acquireBm25Store, type Bm25Store, releaseBm25Store, type StoredIndex } from "./bm25-store.js";
import type { DuckDBSession, Row } from "./database.js";
import { type DuckDBLogger, stderrDuckDBLogger } from "./logger.js";

export { BM25_B, BM25_K1, bm25SearchSql, bm25TableNames, TOKEN_SPLIT_REGEX } from "./bm25-sql.js";

/** Which engine answered a search. */
export const SearchEngine = { Fts: "fts", Bm25Sql: "bm25_sql" } as const;
export type SearchEngine = (typeof SearchEngine)[keyof typeof SearchEngine];

export interface FullTextIndexOptions {
  /** Validated table name (unquoted). */
  table: string;
  /** Validated id column (unquoted). */
  idColumn: string;
  /** Validated text columns to index (unquoted). */
  fields: string[];
  /** `auto`: fts when it loads, else bm25_sql. */
  engine: "auto" | SearchEngine;
  /**
   * Keep the bm25_sql index in a side file across restarts and never make a search wait for a
   * build (see the file comment). Without it, the index is a TEMP one built by {@link FullTextIndex.ensure}.
   * @default false
   */
  persist?: boolean;
  /** Where to say what happened to the index. @default stderr lines at LOOM_LOG_LEVEL */
  logger?: DuckDBLogger;
}

/** What a {@link FullTextIndex} knows about its bm25_sql index (for tests, benchmarks and status pages). */
export interface FullTextIndexStatus {
  engine: SearchEngine | undefined;
  /** The side file the index is in, `memory` (this process only), `temp`, or undefined while there is none. */
  location: string | undefined;
  /** Fingerprint of the table content the index was built from (row count and checksum). */
  fingerprint: string | undefined;
  /** When the index was built, as DuckDB prints a timestamp. */
  builtAt: string | undefined;
  /** The index matches the table's current fingerprint (false while unchecked or rebuilding). */
  current: boolean;
  /** A fingerprint check or a build is running in the background. */
  refreshing: boolean;
  /** Builds this index has run (0 when it was loaded from the side file and found current). */
  builds: number;
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

/**
 * Keeps the search index of one table current and answers searches.
 *
 * @example
 * const index = new FullTextIndex(session, { table: "documents", idColumn: "id", fields: ["title"], engine: "auto", persist: true });
 * const { engine, rows } = await index.search('t."id", t."title"', "refund policy", 10);
 */
export class FullTextIndex {
  readonly #session: DuckDBSession;
  readonly #options: FullTextIndexOptions;
  readonly #logger: DuckDBLogger;
  #engine: SearchEngine | undefined;
  #signature: string | undefined;
  #ready: Promise<SearchEngine> | undefined;
  // The persistent bm25_sql index (with `persist`).
  #opening: Promise<Bm25Store | undefined> | undefined;
  #stored: StoredIndex | undefined;
  #tableFingerprint: string | undefined;
  #refresh: Promise<void> | undefined;
  #builds = 0;
  #closed = false;

  constructor(session: DuckDBSession, options: FullTextIndexOptions) {
    this.#session = session;
    this.#options = options;
    this.#logger = options.logger ?? stderrDuckDBLogger();
  }

  /**
   * Answers a search: rows of `select` (columns qualified by `t.`) and `_relevance`, best first.
   * With `persist`, never waits for a bm25_sql index build (see the file comment).
   */
  async search(select: string, query: string, limit: number): Promise<{ engine: SearchEngine; rows: Row[] }> {
    this.#engine ??= await this.#chooseEngine();
    const store =
      this.#engine === SearchEngine.Bm25Sql && this.#options.persist ? await this.#openStore() : undefined;
    if (!store) {
      const engine = await this.ensure();
      return { engine, rows: await this.#session.query(this.searchSql(engine, select), [query, limit]) };
    }
    const engine = SearchEngine.Bm25Sql;
    if (this.#session.writable && this.#tableFingerprint !== undefined) {
      const fingerprint = await this.#fingerprint(this.#session);
      if (fingerprint !== this.#tableFingerprint) {
        this.#tableFingerprint = fingerprint;
        this.#startRefresh(store);
      }
    }
    const index = this.#stored;
    // Before the background check has a fingerprint, the stored index is trusted; once it is
    // known to be stale, the scan answers (slower, but never knowingly out of date).
    if (index && (this.#tableFingerprint === undefined || index.fingerprint === this.#tableFingerprint)) {
      const sql = bm25SearchSql({ ...this.#options, select, names: index.names });
      try {
        return { engine, rows: await store.read(() => this.#session.query(sql, [query, limit])) };
      } catch (error) {
        // Another index on this file swapped the tables away meanwhile: scan this once.
        this.#logger.debug(
          { table: this.#options.table, error: errorMessage(error) },
          "BM25 index unreadable; scanning",
        );
      }
    }
    return {
      engine,
      rows: await this.#session.query(bm25ScanSql({ ...this.#source(), select }), [query, limit]),
    };
  }

  /** What is known about the index now. */
  status(): FullTextIndexStatus {
    const stored = this.#stored;
    const temp = !this.#options.persist && this.#signature !== undefined;
    return {
      engine: this.#engine,
      location: stored?.location ?? (temp ? "temp" : undefined),
      fingerprint: stored?.fingerprint,
      builtAt: stored?.builtAt,
      current: temp || (stored !== undefined && stored.fingerprint === this.#tableFingerprint),
      refreshing: this.#refresh !== undefined,
      builds: this.#builds,
    };
  }

  /** The status once the background check or build (if any) has finished. */
  async settled(): Promise<FullTextIndexStatus> {
    await this.#opening;
    while (this.#refresh !== undefined) await this.#refresh;
    return this.status();
  }

  /** Stops background work and releases the side file (the session stays open: its owner closes it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const store = await this.#opening?.catch(() => undefined);
    if (!store) return;
    await releaseBm25Store(this.#session.file);
    await this.#refresh;
  }

  /**
   * Makes sure the index exists and is current; returns the engine that will answer. Without
   * `persist` this is what {@link search} does first (blocking on a TEMP index build).
   */
  ensure(): Promise<SearchEngine> {
    // Concurrent searches share one build.
    this.#ready ??= this.#ensure().finally(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  /** The search SQL for the engine {@link ensure} chose (the TEMP index for bm25_sql). */
  searchSql(engine: SearchEngine, select: string): string {
    const spec = { table: this.#options.table, idColumn: this.#options.idColumn, select };
    return engine === SearchEngine.Fts ? ftsSearchSql(spec) : bm25SearchSql(spec);
  }

  #source(): Bm25Source {
    return { table: this.#options.table, idColumn: this.#options.idColumn, fields: this.#options.fields };
  }

  /** The side-file store with the stored index read; undefined (TEMP fallback) when it cannot open. */
  #openStore(): Promise<Bm25Store | undefined> {
    this.#opening ??= (async () => {
      const { table } = this.#options;
      try {
        const store = await acquireBm25Store(this.#session, this.#logger);
        if (this.#closed) {
          await releaseBm25Store(this.#session.file);
          return undefined;
        }
        this.#stored = await store.stored(this.#key());
        if (this.#stored) {
          this.#logger.info(
            {
              table,
              side_file: this.#stored.location,
              fingerprint: this.#stored.fingerprint,
              built_at: this.#stored.builtAt,
            },
            `BM25 index for ${table} loaded from ${this.#stored.location}`,
          );
        }
        this.#startRefresh(store);
        return store;
      } catch (error) {
        this.#logger.warn(
          { table, error: errorMessage(error) },
          `BM25 index for ${table}: no side file; building it in TEMP for this connection`,
        );
        return undefined;
      }
    })();
    return this.#opening;
  }

  #startRefresh(store: Bm25Store): void {
    if (this.#refresh || this.#closed) return;
    this.#refresh = this.#refreshIndex(store)
      .catch((error: unknown) => {
        if (this.#closed) return;
        this.#logger.warn(
          { table: this.#options.table, error: errorMessage(error) },
          `BM25 index for ${this.#options.table}: background build failed; searches scan the table`,
        );
      })
      .finally(() => {
        this.#refresh = undefined;
      });
  }

  /** Checks the stored index against the table and rebuilds it until it matches. */
  async #refreshIndex(store: Bm25Store): Promise<void> {
    const { table } = this.#options;
    for (;;) {
      const fingerprint = await this.#fingerprint(store.worker);
      this.#tableFingerprint = fingerprint;
      if (this.#stored?.fingerprint === fingerprint) {
        this.#logger.debug({ table, fingerprint }, `BM25 index for ${table} is current`);
        return;
      }
      this.#logger.info(
        { table, fingerprint, stored_fingerprint: this.#stored?.fingerprint ?? null },
        this.#stored
          ? `BM25 index for ${table}: table changed; rebuilding in the background (searches scan the table until then)`
          : `BM25 index for ${table}: none stored; building in the background (searches scan the table until then)`,
      );
      const started = performance.now();
      this.#builds += 1;
      const built = await store.build(this.#key(), this.#source(), fingerprint);
      if (this.#closed) return;
      this.#stored = built;
      this.#logger.info(
        { table, side_file: built.location, fingerprint, ms: Math.round(performance.now() - started) },
        `BM25 index for ${table} built into ${built.location}`,
      );
      // Only a read-write database can have changed during the build.
      if (!this.#session.writable) return;
    }
  }

  /** Which index of the side file belongs to this table, id column and text columns. */
  #key(): string {
    const { table, idColumn, fields } = this.#options;
    return JSON.stringify({ table, idColumn, fields });
  }

  async #fingerprint(session: DuckDBSession): Promise<string> {
    const rows = await session.query(bm25FingerprintSql(this.#source()));
    return String(rows[0]?.fingerprint);
  }

  async #ensure(): Promise<SearchEngine> {
    this.#engine ??= await this.#chooseEngine();
    // A read-only file: an fts index there is used as it is; the fallback index is built once.
    if (this.#engine === SearchEngine.Fts && !this.#session.writable) return this.#engine;
    if (this.#signature !== undefined && !this.#session.writable) return this.#engine;
    const signature = this.#session.writable ? await this.#fingerprint(this.#session) : "read-only";
    if (signature === this.#signature) return this.#engine;
    if (this.#engine === SearchEngine.Fts) await this.#buildFts();
    else
      await this.#session.exec(
        bm25BuildSql(this.#source(), bm25TableNames(this.#options.table), "CREATE OR REPLACE TEMP TABLE"),
      );
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

  async #buildFts(): Promise<void> {
    const { table, idColumn, fields } = this.#options;
    const columns = fields.map((field) => `'${field}'`).join(", ");
    await this.#session.exec(
      `PRAGMA create_fts_index('${table}', '${idColumn}', ${columns}, stemmer = 'none', stopwords = 'none',` +
        ` ignore = '${TOKEN_SPLIT_REGEX}', strip_accents = 0, lower = 1, overwrite = 1)`,
    );
  }
}
