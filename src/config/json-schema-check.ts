/**
 * Proves a worker's input/output schema is a valid JSON Schema by compiling it with ajv (the same
 * engine that validates payloads at run time), and reports each problem at its place in the YAML.
 */
import { createRequire } from "node:module";
import type { Ajv, ErrorObject } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import type { IssueCollector } from "./issue-collector.js";
import type { DataPath } from "./yaml-source.js";

// ajv (CommonJS) is required on first use: schemas of the plain subset that
// isPlainDraft7Schema recognises are checked without it, so start-up need not load it.
const require = createRequire(import.meta.url);
// ajv-formats is CommonJS; its module object is the plugin function.
const addFormats = (ajv: Ajv | Ajv2020): void =>
  (require("ajv-formats") as (ajv: Ajv | Ajv2020) => void)(ajv);

let draft7: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function ajvFor(schema: Record<string, unknown>): Ajv | Ajv2020 {
  if (typeof schema.$schema === "string" && schema.$schema.includes("2020-12")) {
    if (!draft2020) {
      const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
      draft2020 = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
      addFormats(draft2020);
    }
    return draft2020;
  }
  if (!draft7) {
    const { Ajv } = require("ajv") as typeof import("ajv");
    draft7 = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(draft7);
  }
  return draft7;
}

/** One problem in a JSON Schema: where inside the schema, and what is wrong. */
export interface SchemaProblem {
  /** Path inside the schema, e.g. `["properties", "text", "type"]`. */
  path: (string | number)[];
  message: string;
}

/**
 * Checks that `schema` is a valid JSON Schema object: first against the JSON Schema meta-schema
 * (type names, `required` as a list, `properties` as a mapping of schemas), then — when it uses a
 * keyword only compiling can check — by compiling it (bad regex patterns, unresolvable `$ref`s).
 * Returns every problem found.
 */
export function findSchemaProblems(schema: unknown): SchemaProblem[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return [
      {
        path: [],
        message: "must be a JSON Schema object (a mapping such as {type: object, properties: ...})",
      },
    ];
  }
  const record = schema as Record<string, unknown>;
  // The same schema is checked each time its file is loaded (an MCP gateway loads a worker file
  // up to three times); compiling is the expensive part, so results are remembered by content.
  const key = JSON.stringify(record);
  const known = checked.get(key);
  if (known) return known;
  const problems = compileProblems(record);
  if (checked.size >= CHECKED_LIMIT) checked.clear();
  checked.set(key, problems);
  return problems;
}

const CHECKED_LIMIT = 1000;
const checked = new Map<string, SchemaProblem[]>();

/**
 * Keywords whose problems only ajv's compile finds (a schema that passes the meta-schema can still
 * fail to compile): unresolvable refs and ids, bad regexes, an empty `enum`, `nullable` without
 * `type`, discriminators, async schemas, ajv-formats' comparison keywords.
 */
const COMPILE_CHECKED = new Set([
  "$ref",
  "$dynamicRef",
  "$recursiveRef",
  "$id",
  "id",
  "$anchor",
  "$dynamicAnchor",
  "$recursiveAnchor",
  "$schema",
  "$async",
  "$data",
  "pattern",
  "patternProperties",
  "enum",
  "nullable",
  "discriminator",
  "formatMinimum",
  "formatMaximum",
  "formatExclusiveMinimum",
  "formatExclusiveMaximum",
]);

/** Whether any key anywhere in `value` is a {@link COMPILE_CHECKED} keyword (property names too: cautious). */
function needsCompile(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(needsCompile);
  if (value === null || typeof value !== "object") return false;
  for (const [key, inner] of Object.entries(value)) {
    if (COMPILE_CHECKED.has(key) || needsCompile(inner)) return true;
  }
  return false;
}

/** Draft-07 meta-schema checks of the keywords {@link isPlainDraft7Schema} accepts. */
const isString = (v: unknown): boolean => typeof v === "string";
const isNumber = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const SIMPLE_TYPES = new Set(["array", "boolean", "integer", "null", "number", "object", "string"]);
const isTypeName = (v: unknown): boolean => typeof v === "string" && SIMPLE_TYPES.has(v);
const isUniqueList = (v: unknown, item: (x: unknown) => boolean, minItems: number): boolean =>
  Array.isArray(v) && v.length >= minItems && v.every(item) && new Set(v).size === v.length;
const isSchemaMap = (v: unknown): boolean =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  Object.values(v).every((inner) => isPlainDraft7Schema(inner));
const isSchemaList = (v: unknown): boolean =>
  Array.isArray(v) && v.length > 0 && v.every((inner) => isPlainDraft7Schema(inner));
const PLAIN_KEYWORDS: Record<string, (v: unknown) => boolean> = {
  title: isString,
  description: isString,
  $comment: isString,
  format: isString,
  contentMediaType: isString,
  contentEncoding: isString,
  default: () => true,
  const: () => true,
  examples: Array.isArray,
  readOnly: (v) => typeof v === "boolean",
  writeOnly: (v) => typeof v === "boolean",
  uniqueItems: (v) => typeof v === "boolean",
  multipleOf: (v) => isNumber(v) && (v as number) > 0,
  maximum: isNumber,
  exclusiveMaximum: isNumber,
  minimum: isNumber,
  exclusiveMinimum: isNumber,
  maxLength: isCount,
  minLength: isCount,
  maxItems: isCount,
  minItems: isCount,
  maxProperties: isCount,
  minProperties: isCount,
  type: (v) => isTypeName(v) || isUniqueList(v, isTypeName, 1),
  required: (v) => isUniqueList(v, isString, 0),
  properties: isSchemaMap,
  definitions: isSchemaMap,
  additionalProperties: (v) => isPlainDraft7Schema(v),
  additionalItems: (v) => isPlainDraft7Schema(v),
  contains: (v) => isPlainDraft7Schema(v),
  propertyNames: (v) => isPlainDraft7Schema(v),
  not: (v) => isPlainDraft7Schema(v),
  items: (v) => isPlainDraft7Schema(v) || isSchemaList(v),
  allOf: isSchemaList,
  anyOf: isSchemaList,
  oneOf: isSchemaList,
};

/**
 * Whether `value` is a draft-07 schema that certainly passes ajv's meta-schema check: every
 * keyword is one of {@link PLAIN_KEYWORDS} with a value of the right shape. Anything else (another
 * dialect, an unlisted keyword, a doubtful value) answers false and goes to ajv, which reports
 * the problems; so this only spares loading ajv and compiling its meta-schema at start-up.
 */
function isPlainDraft7Schema(value: unknown): boolean {
  if (typeof value === "boolean") return true;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  for (const [key, inner] of Object.entries(value)) {
    const check = Object.hasOwn(PLAIN_KEYWORDS, key) ? PLAIN_KEYWORDS[key] : undefined;
    if (!check?.(inner)) return false;
  }
  return true;
}

function compileProblems(record: Record<string, unknown>): SchemaProblem[] {
  // A schema of the plain subset without compile-checked keywords is valid as it stands.
  if (!needsCompile(record) && isPlainDraft7Schema(record)) return [];
  const ajv = ajvFor(record);
  const valid = ajv.validateSchema(record);
  if (!valid) return dedupe((ajv.errors ?? []).map(toProblem));
  // Compiling costs milliseconds per schema; a schema without those keywords compiles whenever it
  // passes the meta-schema, and is compiled for real on its first payload (contracts/validate.ts).
  if (!needsCompile(record)) return [];
  try {
    ajv.compile(record);
  } catch (error) {
    return [
      {
        path: [],
        message: `is not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
      },
    ];
  }
  return [];
}

/** Reports the problems of the schema found at `path` in a config. */
export function checkJsonSchemaAt(schema: unknown, path: DataPath, issues: IssueCollector): void {
  for (const problem of findSchemaProblems(schema)) {
    issues.error([...path, ...problem.path], `invalid JSON Schema: ${problem.message}`);
  }
}

function toProblem(error: ErrorObject): SchemaProblem {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const last = path.at(-1);
  const params = error.params as Record<string, unknown>;
  const what =
    error.message === "must be object,boolean"
      ? "must be a schema (a mapping such as {type: string})"
      : error.message === "must be array"
        ? "must be a list"
        : (error.message ?? "is invalid");
  let message = `${last === undefined ? "schema" : `'${String(last)}'`} ${what}`;
  if (Array.isArray(params.allowedValues)) message += ` (${params.allowedValues.join(", ")})`;
  if (last === "type" && error.keyword !== "type") {
    message =
      "'type' must be one of string, number, integer, boolean, object, array, null (or a list of them)";
  }
  return { path, message };
}

/** anyOf branches repeat errors for the same place; keep the first message per path. */
function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
