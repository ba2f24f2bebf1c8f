/**
 * Building blocks shared by the config definitions: tiers, module refs, JSON Schema objects.
 * Every field carries a description, which the generated JSON Schema files show in editors.
 */
import { z } from "zod";
import { TIERS, type Tier } from "../types.js";

/** `local`, `standard` or `frontier`. */
export const tierField = z.enum(TIERS as [Tier, ...Tier[]], {
  error: "must be local, standard or frontier",
});

/**
 * `"<module>#<ExportName>"` (resolved relative to the config file) or a dotted name such as the
 * built-in `loom.contrib.duckdb.DuckDBQueryBackend`.
 */
export const MODULE_REF_PATTERN = /^(?:[^#\s]+#[A-Za-z_$][\w$]*|[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)$/;

/** What a module ref should look like, for messages. */
export const MODULE_REF_HINT =
  'expected "<module>#<ExportName>" (e.g. "./backends/my-backend.js#MyBackend") or a dotted built-in name (e.g. "loom.contrib.duckdb.DuckDBQueryBackend")';

export function moduleRefField(description: string) {
  return z.string().regex(MODULE_REF_PATTERN, { error: MODULE_REF_HINT }).meta({ description });
}

/** A JSON Schema written inline in YAML (checked further with ajv). */
export function jsonSchemaField(description: string) {
  return z.record(z.string(), z.unknown(), { error: "must be a JSON Schema object" }).meta({ description });
}

/** A free-form mapping of options passed to a constructor. */
export function optionsField(description: string) {
  return z.record(z.string(), z.unknown(), { error: "must be a mapping" }).default({}).meta({ description });
}

export function positiveNumber(description: string) {
  return z
    .number({ error: "must be a positive number" })
    .positive({ error: "must be a positive number" })
    .meta({ description });
}

export function positiveInt(description: string) {
  return z
    .int({ error: "must be a positive integer" })
    .positive({ error: "must be a positive integer" })
    .meta({ description });
}

export function nonEmptyString(description: string) {
  return z.string().min(1, { error: "must not be empty" }).meta({ description });
}

/** MCP tool names: letters, digits, `_` and `-`, at most 64 characters. */
export function toolNameField(description: string) {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, {
      error: "must be 1-64 characters of letters, digits, '_' or '-' (an MCP tool name)",
    })
    .meta({ description });
}
