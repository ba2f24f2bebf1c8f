/**
 * Proves a worker's input/output schema is a valid JSON Schema by compiling it with ajv (the same
 * engine that validates payloads at run time), and reports each problem at its place in the YAML.
 */
import { Ajv, type ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { IssueCollector } from "./issue-collector.js";
import type { DataPath } from "./yaml-source.js";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv | Ajv2020) => void;

let draft7: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function ajvFor(schema: Record<string, unknown>): Ajv | Ajv2020 {
  if (typeof schema.$schema === "string" && schema.$schema.includes("2020-12")) {
    if (!draft2020) {
      draft2020 = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
      addFormats(draft2020);
    }
    return draft2020;
  }
  if (!draft7) {
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

function compileProblems(record: Record<string, unknown>): SchemaProblem[] {
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
