/**
 * What `loom dev fake-llm` answers when no script line matches: a JSON object that satisfies the
 * output schema the request carries (Loom sends it as Ollama's `format` or OpenAI's
 * `response_format` when `structured_output` is on, the default), else `{}`. Strings are
 * "fake <field>", numbers their minimum or 0, arrays `minItems` samples, enums their first value.
 */
import type { RecordedRequest } from "./fake-llm-server.js";

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The JSON Schema a chat request asks the reply to follow, if any. */
export function requestedSchema(request: RecordedRequest): Schema | undefined {
  const body = isSchema(request.body) ? request.body : {};
  if (isSchema(body.format)) return body.format;
  const format = body.response_format;
  if (isSchema(format) && isSchema(format.json_schema) && isSchema(format.json_schema.schema)) {
    return format.json_schema.schema;
  }
  return undefined;
}

/** A value that satisfies `schema` (for the common keywords; `name` labels strings). */
export function sampleFromSchema(schema: unknown, name = "value", depth = 0): unknown {
  if (!isSchema(schema) || depth > 8) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("default" in schema) return schema.default;
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return sampleFromSchema(options[0], name, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string": {
      const text = `fake ${name}`;
      const min = typeof schema.minLength === "number" ? schema.minLength : 0;
      const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
      return text.padEnd(min, "x").slice(0, max);
    }
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      const count = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: count }, () => sampleFromSchema(schema.items, name, depth + 1));
    }
    default: {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, sampleFromSchema(value, key, depth + 1)]),
      );
    }
  }
}

/** The default reply text for a chat request: a sample of its schema, else `{}`. */
export function sampleReplyText(request: RecordedRequest): string {
  const schema = requestedSchema(request);
  return JSON.stringify(schema ? sampleFromSchema(schema) : {});
}
