/**
 * Input schemas of {@link DuckDBQueryBackend}'s actions, for the MCP gateway's query tools
 * (guide Part 12: "schemas are auto-generated from the backend configuration").
 */
import type { JsonSchema } from "../../config/types.js";
import { LoomError } from "../../errors.js";
import { QUERY_ACTIONS, type QueryAction, type ResolvedQueryOptions } from "./query-options.js";
import { DEFAULT_LIMIT, jsonSchemaForSqlType, MAX_LIMIT } from "./sql.js";
import type { TableInfo } from "./table-info.js";

/** What one query tool needs: a description and the JSON Schema of its arguments. */
export interface ActionSchema {
  description: string;
  inputSchema: JsonSchema;
}

const LIMIT_SCHEMA = {
  type: "integer",
  minimum: 1,
  maximum: MAX_LIMIT,
  default: DEFAULT_LIMIT,
  description: `How many records to return (at most ${MAX_LIMIT}).`,
};

/** Builds the schema of each action in `actions`; an unknown action is a `config_error`. */
export function buildActionSchemas(
  actions: string[],
  options: ResolvedQueryOptions,
  info: TableInfo,
): Record<string, ActionSchema> {
  const schemas: Record<string, ActionSchema> = {};
  for (const action of actions) {
    if (!(QUERY_ACTIONS as readonly string[]).includes(action)) {
      throw new LoomError(
        "config_error",
        `actions: '${action}' is not a query action (actions: ${QUERY_ACTIONS.join(", ")})`,
        { details: { action, allowed: [...QUERY_ACTIONS] } },
      );
    }
    schemas[action] = schemaFor(action as QueryAction, options, info);
  }
  return schemas;
}

function schemaFor(action: QueryAction, options: ResolvedQueryOptions, info: TableInfo): ActionSchema {
  const table = options.table;
  const columns = info.resultColumns.join(", ");
  switch (action) {
    case "search":
      return {
        description:
          `Full-text search (BM25) over '${table}' (${info.ftsFields.join(", ")}). ` +
          `Returns the best-matching records (${columns}) with their BM25 relevance in \`_relevance\` (higher is better).`,
        inputSchema: objectSchema(
          {
            query: { type: "string", minLength: 1, description: "Words to search for." },
            limit: LIMIT_SCHEMA,
          },
          ["query"],
        ),
      };
    case "filter":
      return {
        description:
          `List records of '${table}' matching every filter given (all optional), with the total count. ` +
          `Returns ${columns}.`,
        inputSchema: objectSchema(
          {
            ...filterProperties(info),
            limit: LIMIT_SCHEMA,
            offset: {
              type: "integer",
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              default: 0,
              description: "Records to skip (paging).",
            },
          },
          [],
        ),
      };
    case "stats": {
      const groupBy: Record<string, unknown> =
        options.statsGroups.length > 0
          ? { type: "string", enum: options.statsGroups, description: "Column to group by; omit for totals." }
          : { type: "null", description: "No grouping columns are configured." };
      return {
        description:
          `Aggregate statistics over '${table}' (${options.statsAggregates.join(", ")}), ` +
          "optionally grouped and filtered.",
        inputSchema: objectSchema({ group_by: groupBy, ...filterProperties(info) }, []),
      };
    }
    case "get":
      return {
        description: `Get one record of '${table}' by ${options.idColumn}, with all its fields including the full text.`,
        inputSchema: objectSchema(
          {
            id: {
              ...jsonSchemaForSqlType(info.types.get(options.idColumn) ?? "VARCHAR"),
              description: `The record's ${options.idColumn}.`,
            },
          },
          ["id"],
        ),
      };
    case "vector_search":
      return {
        description:
          `Semantic search over '${table}': records whose meaning is closest to the query ` +
          `(cosine similarity of embeddings). Returns ${columns} with a similarity score.`,
        inputSchema: objectSchema(
          {
            query: { type: "string", minLength: 1, description: "What to look for, in plain words." },
            limit: LIMIT_SCHEMA,
          },
          ["query"],
        ),
      };
  }
}

/** One optional property per filter field, typed from the predicate's first parameter. */
function filterProperties(info: TableInfo): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, filter] of info.filters) {
    const base = jsonSchemaForSqlType(filter.parameterTypes[0] ?? "VARCHAR");
    const hint = typeof base.description === "string" ? ` (${base.description})` : "";
    properties[name] = { ...base, description: `Filter: ${filter.predicate}${hint}` };
  }
  return properties;
}

function objectSchema(properties: Record<string, unknown>, required: string[]): JsonSchema {
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}
