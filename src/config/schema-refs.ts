/**
 * `input_schema_ref` / `output_schema_ref`: a module export that is a Zod schema (converted with
 * `z.toJSONSchema`) or a plain JSON Schema object — the counterpart of the guide's Pydantic models.
 */
import { z } from "zod";
import { LoomError } from "../errors.js";
import { loadModuleRef } from "./module-ref.js";
import type { JsonSchema } from "./types.js";

/** True for a Zod v4 schema (from any copy of zod: checked by shape, not `instanceof`). */
function isZodV4(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value && "safeParse" in value;
}

/**
 * Imports the export a schema ref names and returns its JSON Schema. Throws a `config_error`
 * naming the module and export when it cannot be imported or is neither a Zod schema nor an object.
 *
 * @example await resolveSchemaRef("./contracts.js#SummaryInput", "/app/configs/workers/summarizer.yaml")
 */
export async function resolveSchemaRef(ref: string, fromFile: string): Promise<JsonSchema> {
  return schemaFromExport(ref, await loadModuleRef(ref, fromFile));
}

/**
 * The JSON Schema of an imported export `ref` named: a Zod 4 schema's JSON Schema, or the object
 * itself. Throws a `config_error` saying what the export is instead.
 */
export function schemaFromExport(ref: string, value: unknown): JsonSchema {
  if (isZodV4(value)) {
    try {
      return z.toJSONSchema(value, { io: "input", target: "draft-7" }) as JsonSchema;
    } catch (cause) {
      throw new LoomError(
        "config_error",
        `'${ref}' is a Zod schema that has no JSON Schema form: ${String(cause)}`,
        {
          details: { ref },
          cause,
        },
      );
    }
  }
  if (typeof value === "object" && value !== null && "_def" in value) {
    throw new LoomError(
      "config_error",
      `'${ref}' is a Zod 3 schema; export a Zod 4 schema (import { z } from "zod") or a JSON Schema object`,
      {
        details: { ref },
      },
    );
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as JsonSchema;
  throw new LoomError(
    "config_error",
    `'${ref}' is ${value === undefined ? "undefined" : typeof value}; expected an exported Zod schema or JSON Schema object`,
    { details: { ref } },
  );
}
