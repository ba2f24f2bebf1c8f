/**
 * DuckDBQueryBackend (guide Part 11): query actions over one DuckDB table for processor workers
 * and the MCP gateway's query tools.
 *
 * The guide's Python version is a SyncProcessingBackend because the Python client blocks. The
 * Node client is asynchronous (queries run on DuckDB's own threads), so this is a plain async
 * {@link ProcessingBackend}: no worker thread, and the connection and prepared statements stay
 * alive between calls.
 */
import type { Json } from "@duckdb/node-api";
import { LoomError } from "../../errors.js";
import type { EmbeddingProvider } from "../../worker/embeddings.js";
import {
  ProcessingBackend,
  type ProcessingConfig,
  type ProcessingResult,
  type ProcessOptions,
} from "../../worker/processor.js";
import { type ActionSchema, buildActionSchemas } from "./action-schemas.js";
import { type DuckDBSession, LazySession, openDuckDB, type Row } from "./database.js";
import { FullTextIndex, type FullTextIndexStatus } from "./full-text-index.js";
import type { DuckDBLogger } from "./logger.js";
import {
  type DuckDBQueryBackendOptions,
  QUERY_ACTIONS,
  type QueryAction,
  type ResolvedQueryOptions,
  resolveQueryOptions,
} from "./query-options.js";
import { type BindValue, readLimit, readOffset, readText, toBindValue } from "./sql.js";
import { loadTableInfo, type TableInfo } from "./table-info.js";
import {
  createEmbeddingProvider,
  type EmbeddingProviderOptions,
  prepareVectorRanking,
  rankBySimilarity,
  type VectorRanking,
} from "./vector-search.js";

interface BackendState {
  session: DuckDBSession;
  info: TableInfo;
  index: FullTextIndex;
  ranking?: Promise<VectorRanking>;
  embedder?: Promise<EmbeddingProvider>;
  close(): Promise<void>;
}

/**
 * Runs `search`, `filter`, `stats`, `get` and `vector_search` (by `payload.action`) against the
 * configured table. Subclass it to fix your schema, as the guide shows.
 *
 * @example
 * export class MyQueryBackend extends DuckDBQueryBackend {
 *   constructor(options: { db_path?: string } = {}) {
 *     super({ db_path: options.db_path ?? "/tmp/workspace/data.duckdb", table_name: "records",
 *       filter_fields: { status: "status = ?", min_score: "score >= ?" }, stats_groups: ["status"] });
 *   }
 * }
 */
export class DuckDBQueryBackend extends ProcessingBackend {
  /** The checked options. */
  protected readonly settings: ResolvedQueryOptions;
  readonly #embedding: EmbeddingProviderOptions;
  readonly #logger: DuckDBLogger | undefined;
  readonly #state = new LazySession<BackendState>(() => this.#connect());

  constructor(options: DuckDBQueryBackendOptions) {
    super();
    this.settings = resolveQueryOptions(options);
    this.#logger = options.logger;
    const baseUrl = options.embedding_base_url ?? options.ollama_url;
    this.#embedding = {
      ...(options.embedding_provider ? { provider: options.embedding_provider } : {}),
      ...(options.embedding_model ? { model: options.embedding_model } : {}),
      ...(baseUrl ? { baseUrl } : {}),
    };
  }

  /** Dispatches on `payload.action`; an unknown action is an `invalid_input` error listing the actions. */
  override async process(
    payload: Record<string, unknown>,
    _config?: ProcessingConfig,
    options?: ProcessOptions,
  ): Promise<ProcessingResult> {
    const action = payload.action;
    if (typeof action !== "string" || !(QUERY_ACTIONS as readonly string[]).includes(action)) {
      throw new LoomError(
        "invalid_input",
        `action: '${String(action ?? "")}' is not a query action (actions: ${QUERY_ACTIONS.join(", ")})`,
        { details: { field: "action", allowed: [...QUERY_ACTIONS] } },
      );
    }
    const output = await this.run(action as QueryAction, payload, options?.signal);
    return { output: { action, ...output }, model_used: "duckdb" };
  }

  /** Runs one action and returns its output object (without the `action` key). */
  protected async run(
    action: QueryAction,
    payload: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const state = await this.#state.get();
    switch (action) {
      case "search":
        return this.#search(state, payload);
      case "filter":
        return this.#filter(state, payload);
      case "stats":
        return this.#stats(state, payload);
      case "get":
        return this.#get(state, payload);
      case "vector_search":
        return this.#vectorSearch(state, payload, signal);
    }
  }

  /**
   * Input schemas and descriptions of `actions`, for the MCP gateway's query tools. Filter
   * fields are typed from the types DuckDB infers for their predicates.
   */
  async actionSchemas(actions: string[]): Promise<Record<string, ActionSchema>> {
    const state = await this.#state.get();
    return buildActionSchemas(actions, this.settings, state.info);
  }

  /**
   * What the backend knows about its search index: where the bm25_sql index is, the table
   * fingerprint it was built from, whether it is current. `wait` waits for a background
   * fingerprint check or rebuild to finish first.
   */
  async searchIndexStatus(options: { wait?: boolean } = {}): Promise<FullTextIndexStatus> {
    const { index } = await this.#state.get();
    return options.wait ? index.settled() : index.status();
  }

  /** Closes the connection (the file stays open while other tools in the process use it). */
  override async close(): Promise<void> {
    await this.#state.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #connect(): Promise<BackendState> {
    const session = await openDuckDB(this.settings.dbPath, { readOnly: this.settings.readOnly });
    try {
      const info = await loadTableInfo(session, this.settings);
      const index = new FullTextIndex(session, {
        table: this.settings.table,
        idColumn: this.settings.idColumn,
        fields: info.ftsFields,
        engine: this.settings.searchEngine,
        persist: true,
        ...(this.#logger ? { logger: this.#logger } : {}),
      });
      return { session, info, index, close: () => index.close() };
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  async #search(state: BackendState, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const query = readText(payload, "query", "search");
    const limit = readLimit(payload);
    if (state.info.ftsFields.length === 0) {
      throw new LoomError("config_error", `search: '${this.settings.table}' has no text columns to search`);
    }
    const { engine, rows } = await state.index.search(state.info.select, query, limit);
    const results = this.#decode(rows);
    return { engine, query, results, count: results.length };
  }

  async #filter(state: BackendState, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const limit = readLimit(payload);
    const offset = readOffset(payload);
    const { where, values } = this.#where(state, payload, ["action", "limit", "offset"], "filter");
    const from = `FROM main."${this.settings.table}" t${where}`;
    const [counted] = await state.session.query(`SELECT count(*) AS total ${from}`, values);
    const rows = await state.session.query(
      `SELECT ${state.info.select} ${from} ORDER BY ${state.info.orderBy} LIMIT ? OFFSET ?`,
      [...values, limit, offset],
    );
    const results = this.#decode(rows);
    return { results, count: results.length, total: Number(counted?.total ?? 0), limit, offset };
  }

  async #stats(state: BackendState, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const groups = this.settings.statsGroups;
    const groupBy = payload.group_by;
    if (
      groupBy !== undefined &&
      groupBy !== null &&
      (typeof groupBy !== "string" || !groups.includes(groupBy))
    ) {
      throw new LoomError(
        "invalid_input",
        `stats: cannot group by '${String(groupBy)}' (group_by: ${groups.join(", ") || "none configured"})`,
        { details: { field: "group_by", allowed: groups } },
      );
    }
    const { where, values } = this.#where(state, payload, ["action", "group_by"], "stats");
    const aggregates = this.settings.statsAggregates.join(", ");
    const table = `main."${this.settings.table}" t`;
    const sql =
      typeof groupBy === "string"
        ? `SELECT t."${groupBy}", ${aggregates} FROM ${table}${where} GROUP BY t."${groupBy}" ORDER BY t."${groupBy}" NULLS LAST`
        : `SELECT ${aggregates} FROM ${table}${where}`;
    const rows = await state.session.query(sql, values);
    return { group_by: typeof groupBy === "string" ? groupBy : null, groups: this.#decode(rows) };
  }

  async #get(state: BackendState, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = payload.id;
    if (id === undefined || id === null || (typeof id !== "string" && typeof id !== "number")) {
      throw new LoomError(
        "invalid_input",
        `get: 'id' must be a string or number (got ${JSON.stringify(id ?? null)})`,
        {
          details: { field: "id" },
        },
      );
    }
    const { table, idColumn } = this.settings;
    const rows = await state.session.query(
      `SELECT ${state.info.getSelect} FROM main."${table}" WHERE "${idColumn}" = ? LIMIT 1`,
      [toBindValue(id, "id")],
    );
    const record = this.#decode(rows)[0];
    if (!record) {
      throw new LoomError(
        "invalid_input",
        `get: no record in '${table}' with ${idColumn} = ${JSON.stringify(id)}`,
        {
          details: { field: "id", id, table },
        },
      );
    }
    return { record };
  }

  async #vectorSearch(
    state: BackendState,
    payload: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const query = readText(payload, "query", "vector_search");
    const limit = readLimit(payload);
    const column = this.settings.embeddingColumn;
    state.ranking ??= prepareVectorRanking(state.session, {
      table: this.settings.table,
      column,
      select: state.info.select,
      columnType: state.info.types.get(column),
    });
    state.embedder ??= createEmbeddingProvider(this.#embedding);
    const [ranking, embedder] = await Promise.all([state.ranking, state.embedder]).catch((error: unknown) => {
      state.ranking = undefined;
      state.embedder = undefined;
      throw error;
    });
    const rows = await rankBySimilarity(state.session, ranking, embedder, query, limit, signal);
    const results = this.#decode(rows);
    return { query, results, count: results.length };
  }

  /** AND of the filter predicates named in the payload; any other key is an error naming the filters. */
  #where(
    state: BackendState,
    payload: Record<string, unknown>,
    reserved: string[],
    action: string,
  ): { where: string; values: BindValue[] } {
    const clauses: string[] = [];
    const values: BindValue[] = [];
    for (const [key, raw] of Object.entries(payload)) {
      if (reserved.includes(key)) continue;
      const filter = state.info.filters.get(key);
      if (!filter) {
        const allowed = [...state.info.filters.keys()];
        throw new LoomError(
          "invalid_input",
          `${action}: unknown filter field '${key}' (filter fields: ${allowed.join(", ") || "none configured"})`,
          { details: { field: key, allowed } },
        );
      }
      if (raw === undefined || raw === null) continue;
      const value = toBindValue(raw, key);
      clauses.push(`(${filter.predicate})`);
      for (let i = 0; i < filter.parameterTypes.length; i++) values.push(value);
    }
    return { where: clauses.length > 0 ? ` WHERE ${clauses.join(" AND ")}` : "", values };
  }

  /** Parses the configured JSON columns; text that is not JSON is left as it is. */
  #decode(rows: Row[]): Row[] {
    const jsonColumns = this.settings.jsonColumns;
    if (jsonColumns.size === 0) return rows;
    for (const row of rows) {
      for (const column of jsonColumns) {
        const value = row[column];
        if (typeof value !== "string") continue;
        try {
          row[column] = JSON.parse(value) as Json;
        } catch {
          // Not JSON after all: keep the text.
        }
      }
    }
    return rows;
  }
}
