/**
 * What a {@link DuckDBQueryBackend} learns from its table on first use: the real columns and
 * types, the defaults that depend on them, and whether the configured SQL fragments compile.
 * Every problem is a `config_error` that names the key and lists what the table has.
 */
import { errorMessage, LoomError } from "../../errors.js";
import type { ColumnInfo, DuckDBSession } from "./database.js";
import type { ResolvedQueryOptions } from "./query-options.js";

/** A configured filter with the types DuckDB infers for its `?` parameters. */
export interface FilterInfo {
  predicate: string;
  parameterTypes: string[];
}

export interface TableInfo {
  columns: ColumnInfo[];
  /** Column name → DuckDB type. */
  types: Map<string, string>;
  resultColumns: string[];
  /** `t."a", t."b"` for the result columns. */
  select: string;
  ftsFields: string[];
  filters: Map<string, FilterInfo>;
  orderBy: string;
  /** Columns `get` returns: all but the embedding column. */
  getSelect: string;
}

/** Reads the table's columns and checks the options against them. */
export async function loadTableInfo(
  session: DuckDBSession,
  options: ResolvedQueryOptions,
): Promise<TableInfo> {
  const { table } = options;
  const columns = await session.columnsOf(table, "backend_config.table_name");
  const types = new Map(columns.map((column) => [column.name, column.type]));
  const requireColumns = (names: Iterable<string>, key: string): void => {
    for (const name of names) {
      if (!types.has(name)) {
        throw new LoomError(
          "config_error",
          `backend_config.${key}: '${table}' has no column '${name}' (columns: ${[...types.keys()].join(", ")})`,
          { details: { table, column: name, columns: [...types.keys()] } },
        );
      }
    }
  };
  requireColumns([options.idColumn], "id_column");
  requireColumns(options.resultColumns ?? [], "result_columns");
  requireColumns(options.jsonColumns, "json_columns");
  requireColumns(options.statsGroups, "stats_groups");
  requireColumns(options.ftsFields ?? [], "fts_fields");

  const resultColumns =
    options.resultColumns ??
    columns
      .map((column) => column.name)
      .filter((name) => name !== options.embeddingColumn && name !== options.fullTextColumn);
  const ftsFields =
    options.ftsFields ??
    columns
      .filter((column) => column.type === "VARCHAR" && !options.jsonColumns.has(column.name))
      .map((column) => column.name);

  const filters = new Map<string, FilterInfo>();
  for (const [name, predicate] of options.filterFields) {
    const parameterTypes = await compile(
      session,
      `SELECT 1 FROM main."${table}" t WHERE (${predicate})`,
      `filter_fields.${name}`,
    );
    filters.set(name, { predicate, parameterTypes });
  }
  await compile(
    session,
    `SELECT ${options.statsAggregates.join(", ")} FROM main."${table}" t`,
    "stats_aggregates",
  );
  const orderBy = options.orderBy ?? `"${options.idColumn}"`;
  await compile(session, `SELECT 1 FROM main."${table}" t ORDER BY ${orderBy}`, "default_order_by");

  return {
    columns,
    types,
    resultColumns,
    select: resultColumns.map((name) => `t."${name}"`).join(", "),
    ftsFields,
    filters,
    orderBy,
    getSelect: types.has(options.embeddingColumn) ? `* EXCLUDE ("${options.embeddingColumn}")` : "*",
  };
}

async function compile(session: DuckDBSession, sql: string, key: string): Promise<string[]> {
  try {
    return await session.parameterTypes(sql);
  } catch (cause) {
    throw new LoomError(
      "config_error",
      `backend_config.${key}: DuckDB cannot use it: ${errorMessage(cause)}`,
      {
        details: { key },
        cause,
      },
    );
  }
}
