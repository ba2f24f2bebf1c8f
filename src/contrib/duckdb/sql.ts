/**
 * SQL text helpers for the DuckDB tools. Only names from configuration ever reach SQL text, and
 * only after {@link quoteIdent} has checked them; every value from a payload is a bound parameter.
 */
import { LoomError } from "../../errors.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ORDER_TERM = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?$/i;

/** Default and maximum number of rows a query action returns. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/**
 * Checks that `name` (from configuration key `where`) is a plain SQL identifier and returns it
 * double-quoted. Throws a `config_error` otherwise.
 */
export function quoteIdent(name: unknown, where: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new LoomError(
      "config_error",
      `${where}: '${String(name)}' is not a valid identifier (expected letters, digits and _, not starting with a digit)`,
      { details: { key: where, value: String(name) } },
    );
  }
  return `"${name}"`;
}

/** Checks an identifier without quoting it; returns the name. */
export function checkIdent(name: unknown, where: string): string {
  quoteIdent(name, where);
  return name as string;
}

/**
 * Validates an ORDER BY clause from configuration ("created_at DESC, id") and returns it with
 * quoted column names. Expressions are not allowed, only columns with ASC/DESC and NULLS FIRST/LAST.
 */
export function orderByClause(spec: string, where: string): string {
  const terms = spec.split(",").map((term) => term.trim());
  return terms
    .map((term) => {
      const match = ORDER_TERM.exec(term);
      if (!match) {
        throw new LoomError(
          "config_error",
          `${where}: cannot use '${term}' in ORDER BY (expected "<column> [ASC|DESC] [NULLS FIRST|LAST]", comma-separated)`,
          { details: { key: where, value: spec } },
        );
      }
      const [, column, direction, nulls] = match;
      return [`"${column}"`, direction?.toUpperCase(), nulls ? `NULLS ${nulls.toUpperCase()}` : undefined]
        .filter(Boolean)
        .join(" ");
    })
    .join(", ");
}

/**
 * Reads `payload[key]` as a row limit: default when absent, capped at `max`. Anything but a
 * positive integer is an `invalid_input` error.
 */
export function readLimit(
  payload: Record<string, unknown>,
  key = "limit",
  defaultLimit = DEFAULT_LIMIT,
  max = MAX_LIMIT,
): number {
  const value = payload[key];
  if (value === undefined || value === null) return Math.min(defaultLimit, max);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new LoomError("invalid_input", `${key} must be a positive integer (got ${JSON.stringify(value)})`, {
      details: { field: key, value },
    });
  }
  return Math.min(value, max);
}

/** Reads `payload[key]` as a non-negative integer offset (default 0). */
export function readOffset(payload: Record<string, unknown>, key = "offset"): number {
  const value = payload[key];
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new LoomError(
      "invalid_input",
      `${key} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (got ${JSON.stringify(value)})`,
      { details: { field: key, value } },
    );
  }
  return value;
}

/** Reads a required non-empty string field of a payload. */
export function readText(payload: Record<string, unknown>, key: string, action: string): string {
  const value = payload[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new LoomError(
      "invalid_input",
      `${action}: '${key}' must be a non-empty string (got ${JSON.stringify(value ?? null)})`,
      { details: { field: key, action } },
    );
  }
  return value;
}

/** Escapes LIKE/ILIKE wildcards so user text matches literally (use with `ESCAPE '\\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** A scalar that may be bound as a parameter; objects and arrays are refused. */
export type BindValue = string | number | boolean | null;

/** Checks that a payload value can be bound as a scalar parameter. */
export function toBindValue(value: unknown, field: string): BindValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new LoomError(
    "invalid_input",
    `${field}: expected a string, number or boolean (got ${Array.isArray(value) ? "an array" : typeof value})`,
    { details: { field } },
  );
}

/** Maps a DuckDB type name (as DESCRIBE prints it) to a JSON Schema fragment. */
export function jsonSchemaForSqlType(sqlType: string): Record<string, unknown> {
  const type = sqlType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(type)) {
    return { type: "integer" };
  }
  if (/^(FLOAT|DOUBLE|REAL)$/.test(type) || type.startsWith("DECIMAL")) return { type: "number" };
  if (type === "BOOLEAN") return { type: "boolean" };
  if (type === "DATE") return { type: "string", description: "a date, YYYY-MM-DD" };
  if (type.startsWith("TIMESTAMP")) {
    return { type: "string", description: "a timestamp, YYYY-MM-DD[ HH:MM:SS]" };
  }
  return { type: "string" };
}
