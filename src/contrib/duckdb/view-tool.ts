/**
 * DuckDBViewTool (guide Part 11): lets an LLM worker browse a read-only DuckDB view during its
 * reasoning. The view's columns are read at first use; `search` matches text columns with
 * ILIKE, `list` matches exact values on known columns.
 */
import { LoomError } from "../../errors.js";
import { type ToolDefinition, type ToolExecuteOptions, ToolProvider } from "../../worker/tools.js";
import { type ColumnInfo, type DuckDBSession, LazySession, openDuckDB } from "./database.js";
import {
  type BindValue,
  checkIdent,
  DEFAULT_LIMIT,
  escapeLike,
  jsonSchemaForSqlType,
  readLimit,
  toBindValue,
} from "./sql.js";

/** `config` of a `knowledge_silos` entry using `loom.contrib.duckdb.DuckDBViewTool`. */
export interface DuckDBViewToolOptions {
  /** The DuckDB file (opened read-only). */
  db_path: string;
  /** The view (or table) to expose. */
  view_name: string;
  /** What the model is told the tool is for. @default "Search and browse <view_name>" */
  description?: string;
  /** Most rows one call returns (also the default). @default 20 */
  max_results?: number;
  /** The tool's name as the model sees it. @default view_name */
  tool_name?: string;
}

const OPERATIONS = ["search", "list"] as const;

interface ViewState {
  session: DuckDBSession;
  columns: ColumnInfo[];
  textColumns: string[];
  /** Columns returned (vector columns are left out: they mean nothing to a model). */
  select: string;
}

/**
 * Exposes one DuckDB view as an LLM tool with `search` and `list` operations.
 *
 * @example
 * const tool = new DuckDBViewTool({ db_path: "data.duckdb", view_name: "summaries", max_results: 20 });
 * const text = await tool.execute({ operation: "search", query: "contract" });
 */
export class DuckDBViewTool extends ToolProvider {
  readonly #dbPath: string;
  readonly #view: string;
  readonly #description: string;
  readonly #maxResults: number;
  readonly #name: string;
  readonly #state = new LazySession<ViewState>(() => this.#connect());

  constructor(options: DuckDBViewToolOptions) {
    super();
    if (typeof options?.db_path !== "string" || options.db_path === "") {
      throw new LoomError("config_error", "DuckDBViewTool config.db_path: a DuckDB file path is required");
    }
    this.#dbPath = options.db_path;
    this.#view = checkIdent(options.view_name, "DuckDBViewTool config.view_name");
    this.#name = checkIdent(options.tool_name ?? options.view_name, "DuckDBViewTool config.tool_name");
    this.#description = options.description ?? `Search and browse ${options.view_name}`;
    const max = options.max_results ?? DEFAULT_LIMIT;
    if (!Number.isInteger(max) || max < 1) {
      throw new LoomError(
        "config_error",
        `DuckDBViewTool config.max_results: expected a positive integer (got ${max})`,
      );
    }
    this.#maxResults = max;
  }

  override async getDefinition(): Promise<ToolDefinition> {
    const { columns, textColumns } = await this.#state.get();
    const filterProperties = Object.fromEntries(
      columns.filter((c) => !isVector(c.type)).map((c) => [c.name, jsonSchemaForSqlType(c.type)]),
    );
    return {
      name: this.#name,
      description: `${this.#description}. Columns: ${columns.map((c) => `${c.name} (${c.type})`).join(", ")}.`,
      input_schema: {
        type: "object",
        properties: {
          operation: {
            type: "string",
            enum: [...OPERATIONS],
            description:
              "search: find rows whose text contains the query; list: rows matching exact filters.",
          },
          query: {
            type: "string",
            description: `Text to find (search), matched in ${textColumns.join(", ")}.`,
          },
          filters: {
            type: "object",
            properties: filterProperties,
            additionalProperties: false,
            description: "Exact column values every returned row must have.",
          },
          limit: { type: "integer", minimum: 1, maximum: this.#maxResults, default: this.#maxResults },
        },
        additionalProperties: false,
      },
    };
  }

  override async execute(args: Record<string, unknown>, _options?: ToolExecuteOptions): Promise<string> {
    const state = await this.#state.get();
    const operation = args.operation ?? (typeof args.query === "string" ? "search" : "list");
    if (typeof operation !== "string" || !(OPERATIONS as readonly string[]).includes(operation)) {
      throw new LoomError(
        "invalid_input",
        `${this.#name}: operation '${String(operation)}' is not one of ${OPERATIONS.join(", ")}`,
        { details: { field: "operation", allowed: [...OPERATIONS] } },
      );
    }
    const limit = readLimit(args, "limit", this.#maxResults, this.#maxResults);
    const clauses: string[] = [];
    const values: BindValue[] = [];
    this.#addFilters(state, args.filters, clauses, values);
    if (operation === "search") {
      if (typeof args.query !== "string" || args.query.trim() === "") {
        throw new LoomError("invalid_input", `${this.#name}: search needs a non-empty 'query'`, {
          details: { field: "query" },
        });
      }
      const pattern = `%${escapeLike(args.query.trim())}%`;
      const matches = state.textColumns.map((column) => `t."${column}" ILIKE ? ESCAPE '\\'`);
      clauses.push(`(${matches.join(" OR ") || "false"})`);
      values.push(...state.textColumns.map(() => pattern));
    }
    const where = clauses.length > 0 ? ` WHERE ${clauses.join(" AND ")}` : "";
    const rows = await state.session.query(
      `SELECT ${state.select} FROM main."${this.#view}" t${where} ORDER BY 1 LIMIT ?`,
      [...values, limit],
    );
    return JSON.stringify({ operation, results: rows, count: rows.length });
  }

  override async close(): Promise<void> {
    await this.#state.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #addFilters(state: ViewState, filters: unknown, clauses: string[], values: BindValue[]): void {
    if (filters === undefined || filters === null) return;
    if (typeof filters !== "object" || Array.isArray(filters)) {
      throw new LoomError("invalid_input", `${this.#name}: 'filters' must be an object of column: value`, {
        details: { field: "filters" },
      });
    }
    const known = state.columns.filter((c) => !isVector(c.type)).map((c) => c.name);
    for (const [column, value] of Object.entries(filters)) {
      if (!known.includes(column)) {
        throw new LoomError(
          "invalid_input",
          `${this.#name}: cannot filter on '${column}' (columns: ${known.join(", ")})`,
          { details: { field: `filters.${column}`, allowed: known } },
        );
      }
      clauses.push(`t."${column}" = ?`);
      values.push(toBindValue(value, `filters.${column}`));
    }
  }

  async #connect(): Promise<ViewState> {
    const session = await openDuckDB(this.#dbPath);
    try {
      const columns = await session.columnsOf(this.#view, "DuckDBViewTool config.view_name");
      const shown = columns.filter((c) => !isVector(c.type)).map((c) => `t."${c.name}"`);
      return {
        session,
        columns,
        textColumns: columns.filter((c) => c.type === "VARCHAR").map((c) => c.name),
        select: shown.join(", ") || "t.*",
      };
    } catch (error) {
      await session.close();
      throw error;
    }
  }
}

function isVector(type: string): boolean {
  return /^(FLOAT|DOUBLE)\[\d*\]$/i.test(type);
}
