/**
 * Input and output fields as `loom new worker` asks for them: `name:type`, required by default,
 * `name?:type` optional. They become the worker's `input_schema` / `output_schema`.
 */
import { LoomError } from "../errors.js";

/** The JSON Schema types a scaffolded field can have. */
export const FIELD_TYPES = ["string", "number", "integer", "boolean", "array", "object"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field of a scaffolded schema. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  /** @default true */
  required: boolean;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `text:string` or `lang?:string`.
 *
 * @throws LoomError (`config_invalid`) naming the spec and what is wrong with it.
 * @example parseFieldSpec("lang?:string") // { name: "lang", type: "string", required: false }
 */
export function parseFieldSpec(spec: string): FieldSpec {
  const match = /^\s*([^:?\s]+)\s*(\?)?\s*:\s*(\S+)\s*$/.exec(spec);
  if (!match?.[1] || !match[3])
    throw invalid(`field '${spec}' is not name:type (e.g. text:string, or lang?:string for an optional one)`);
  const [, name, optional, type] = match;
  if (!FIELD_NAME.test(name))
    throw invalid(
      `field '${spec}': name '${name}' must be letters, digits and underscores, not starting with a digit`,
    );
  if (!(FIELD_TYPES as readonly string[]).includes(type))
    throw invalid(`field '${spec}': unknown type '${type}' (types: ${FIELD_TYPES.join(", ")})`);
  return { name, type: type as FieldType, required: optional === undefined };
}

/** Parses several specs and refuses a name given twice. */
export function parseFieldSpecs(specs: readonly string[], side: "input" | "output"): FieldSpec[] {
  const fields = specs.map(parseFieldSpec);
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) throw invalid(`${side} field '${field.name}' is given twice`);
    seen.add(field.name);
  }
  return fields;
}

/** The field names a JSON Schema object declares (`properties`), with whether each is required. */
export function fieldsOfSchema(schema: unknown): { name: string; required: boolean }[] | undefined {
  if (schema === null || typeof schema !== "object") return undefined;
  const { properties, required } = schema as { properties?: unknown; required?: unknown };
  if (properties === null || typeof properties !== "object") return undefined;
  const requiredNames = new Set(Array.isArray(required) ? required.filter((r) => typeof r === "string") : []);
  return Object.keys(properties).map((name) => ({ name, required: requiredNames.has(name) }));
}

/** A placeholder value of a type, for the `--input '{...}'` skeleton printed after writing. */
export function sampleValue(type: FieldType): unknown {
  return { string: "...", number: 0, integer: 0, boolean: false, array: [], object: {} }[type];
}

function invalid(message: string): LoomError {
  return new LoomError("config_invalid", message);
}
