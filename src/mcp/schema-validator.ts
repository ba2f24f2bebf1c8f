/**
 * The JSON Schema validator the MCP server uses for tool arguments: Loom's own (ajv, the same as
 * the worker contracts), so a bad argument is reported field by field — `text: is required;
 * count: must be integer (got string)` — in the words the rest of Loom uses.
 */
import {
  fromJsonSchema,
  type JsonSchemaType,
  type JsonSchemaValidator,
  type jsonSchemaValidator,
  type StandardSchemaWithJSON,
} from "@modelcontextprotocol/server";
import type { JsonSchema } from "../config/types.js";
import { formatViolations, validateAgainstSchema } from "../contracts/validate.js";

/** A validator provider for `fromJsonSchema` backed by `validateAgainstSchema`. */
export const loomSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const json = (typeof schema === "object" ? schema : {}) as JsonSchema;
    return (input: unknown) => {
      const violations = validateAgainstSchema(json, input);
      if (violations.length === 0) return { valid: true, data: input as T, errorMessage: undefined };
      return { valid: false, data: undefined, errorMessage: formatViolations(violations) };
    };
  },
};

// One wrapper per schema object: instances are built per HTTP request, tools are not.
const wrapped = new WeakMap<JsonSchema, StandardSchemaWithJSON>();

/** Wraps a raw JSON Schema for `registerTool`: served verbatim, validated by Loom's validator. */
export function toolSchema(schema: JsonSchema): StandardSchemaWithJSON {
  let wrapper = wrapped.get(schema);
  if (!wrapper) {
    wrapper = fromJsonSchema(schema as JsonSchemaType, loomSchemaValidator);
    wrapped.set(schema, wrapper);
  }
  return wrapper;
}
