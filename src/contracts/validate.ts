/**
 * Validation of payloads and outputs against worker schemas with ajv: full JSON Schema (nested
 * objects, enums, minLength, formats via ajv-formats). Draft 2020-12 when the schema says so
 * (`$schema`, as `z.toJSONSchema` writes), else draft-07. No type coercion: `true` is not an
 * integer and `"1"` is not a number.
 */
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { JsonSchema } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";

/** One way a value breaks its schema. */
export interface SchemaViolation {
  /** Where in the value: `people[0]`, `address.city`, or `(root)`. */
  path: string;
  /** What is wrong and what would be right: `must be integer (got boolean)`. */
  message: string;
}

// ajv (CommonJS) is required when the first schema compiles, so that start-up does not load it.
const require = createRequire(import.meta.url);

const OPTIONS = { allErrors: true, strict: false, coerceTypes: false, useDefaults: false } as const;
let ajvs: { draft07: Ajv; draft2019: Ajv; draft2020: Ajv } | undefined;
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function ajvFor(schema: JsonSchema): Ajv {
  if (!ajvs) {
    const formatsModule = require("ajv-formats") as { default?: unknown };
    // ajv-formats' module object is its plugin (also exported as `default`).
    const addFormats = (formatsModule.default ?? formatsModule) as (ajv: Ajv) => Ajv;
    const { Ajv } = require("ajv") as typeof import("ajv");
    const { Ajv2019 } = require("ajv/dist/2019.js") as typeof import("ajv/dist/2019.js");
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    ajvs = {
      draft07: addFormats(new Ajv(OPTIONS)),
      draft2019: addFormats(new Ajv2019(OPTIONS) as Ajv),
      draft2020: addFormats(new Ajv2020(OPTIONS) as Ajv),
    };
  }
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  if (dialect.includes("2020-12")) return ajvs.draft2020;
  if (dialect.includes("2019-09")) return ajvs.draft2019;
  return ajvs.draft07;
}

/**
 * Compiles `schema` once (cached per schema object) and returns its validator.
 * Throws `config_error` when the schema itself is invalid.
 */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      // Each schema compiles on its own; a repeated `$id` must not collide with an earlier one.
      const { $id: _ignored, ...rest } = schema;
      validate = ajvFor(schema).compile(rest);
    } catch (cause) {
      throw new LoomError("config_error", `invalid JSON Schema: ${errorMessage(cause)}`, { cause });
    }
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Validates `value` against `schema`; returns every violation (empty when valid).
 *
 * @example validateAgainstSchema({ type: "object", required: ["text"] }, {})
 * // [{ path: "text", message: "is required" }]
 */
export function validateAgainstSchema(schema: JsonSchema, value: unknown): SchemaViolation[] {
  const validate = compileSchema(schema);
  // JSON has no Infinity or NaN, but `JSON.parse("1e309")` gives Infinity, which ajv accepts as
  // an integer; no payload may carry a non-finite number.
  const nonFinite = hasNonFiniteNumber(value) ? nonFiniteNumbers(value, []) : [];
  if (validate(value)) return nonFinite;
  return [
    ...nonFinite,
    ...(validate.errors ?? []).filter((e) => !isNoise(e)).map((e) => toViolation(e, value)),
  ];
}

/** Whether `value` holds Infinity or NaN anywhere (a walk that allocates nothing). */
function hasNonFiniteNumber(value: unknown): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some(hasNonFiniteNumber);
  for (const key in value) {
    if (Object.hasOwn(value, key) && hasNonFiniteNumber((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Every non-finite number in `value`, as a violation naming its path and the allowed range. */
function nonFiniteNumbers(value: unknown, segments: string[]): SchemaViolation[] {
  if (typeof value === "number") {
    if (Number.isFinite(value)) return [];
    return [
      {
        path: formatPath(segments),
        message: `must be a finite number between -${Number.MAX_VALUE} and ${Number.MAX_VALUE} (got ${value})`,
      },
    ];
  }
  if (typeof value !== "object" || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => nonFiniteNumbers(child, [...segments, key]));
}

/** One line per violation: `people[0]: must be string (got number); count: is required`. */
export function formatViolations(violations: SchemaViolation[]): string {
  return violations.map((v) => `${v.path}: ${v.message}`).join("; ");
}

/** ajv reports `if`/`anyOf` wrappers beside the real errors; they say nothing a user can act on. */
function isNoise(error: ErrorObject): boolean {
  return error.keyword === "if";
}

function toViolation(error: ErrorObject, root: unknown): SchemaViolation {
  const segments = error.instancePath.split("/").slice(1).map(unescapePointer);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: formatPath([...segments, String(params.missingProperty)]), message: "is required" };
    case "additionalProperties":
      return {
        path: formatPath([...segments, String(params.additionalProperty)]),
        message: "is not allowed (no such property in the schema)",
      };
    case "type":
      return {
        path: formatPath(segments),
        message: `must be ${String(params.type)} (got ${describe(valueAt(root, segments))})`,
      };
    case "enum":
      return {
        path: formatPath(segments),
        message: `must be one of ${JSON.stringify(params.allowedValues)} (got ${JSON.stringify(valueAt(root, segments))})`,
      };
    default:
      return { path: formatPath(segments), message: error.message ?? `fails ${error.keyword}` };
  }
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** `["people", "0", "name"]` → `people[0].name`. */
function formatPath(segments: string[]): string {
  let out = "";
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out || "(root)";
}

function valueAt(root: unknown, segments: string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return `number ${value}`;
  return typeof value;
}
