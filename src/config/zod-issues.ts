/**
 * Turns the issues Zod reports against a config definition into config issues with positions and
 * messages that say what would be right. Unknown keys become warnings naming the nearest known key;
 * an unknown key of a closed mapping (a tier in rate_limits) is an error.
 */
import type { z } from "zod";
import { describeValue, didYouMean, type IssueCollector, valueAt } from "./issue-collector.js";
import type { DataPath } from "./yaml-source.js";

/** The parts of a Zod schema's internal definition this file looks at. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  discriminator?: string;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { def: SchemaDef }).def;
}

/** What keys are allowed at a place in the data: an object's fields, or a closed record's keys. */
type KeySet = { kind: "object"; keys: string[] } | { kind: "record"; keys: string[] } | undefined;

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
}

/** The schema that describes the value at `path`, choosing union options by the data. */
function schemaAt(root: z.ZodType, data: unknown, path: DataPath): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  for (const [index, segment] of path.entries()) {
    if (!schema) return undefined;
    schema = pickOption(unwrap(schema), valueAt(data, path.slice(0, index)));
    const def = defOf(schema);
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return undefined;
  }
  return schema ? pickOption(unwrap(schema), valueAt(data, path)) : undefined;
}

function pickOption(schema: z.ZodType, value: unknown): z.ZodType {
  const def = defOf(schema);
  if (def.type !== "union" || !def.options) return schema;
  if (def.discriminator && value && typeof value === "object") {
    const tag = (value as Record<string, unknown>)[def.discriminator];
    const match = def.options.find((o) => {
      const field = defOf(unwrap(o)).shape?.[def.discriminator ?? ""];
      return field && (field as unknown as { value?: unknown }).value === tag;
    });
    if (match) return unwrap(match);
  }
  return schema;
}

function keySetAt(root: z.ZodType, data: unknown, path: DataPath): KeySet {
  const schema = schemaAt(root, data, path);
  if (!schema) return undefined;
  const def = defOf(schema);
  if (def.type === "object") return { kind: "object", keys: Object.keys(def.shape ?? {}) };
  if (def.type === "record" && def.keyType) {
    const keyDef = defOf(unwrap(def.keyType));
    if (keyDef.entries) return { kind: "record", keys: Object.values(keyDef.entries) };
  }
  if (def.type === "union" && def.options) {
    const keys = def.options.flatMap((o) => Object.keys(defOf(unwrap(o)).shape ?? {}));
    return { kind: "object", keys: [...new Set(keys)] };
  }
  return undefined;
}

/** Reports every Zod issue of `definition` against `data` into `issues`. */
export function reportZodIssues(
  definition: z.ZodType,
  data: unknown,
  zodIssues: readonly z.core.$ZodIssue[],
  issues: IssueCollector,
): void {
  for (const issue of zodIssues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const allowed = keySetAt(definition, data, path);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        if (allowed?.kind === "record") {
          issues.error(
            keyPath,
            `unknown key '${key}': expected one of ${allowed.keys.join(", ")}${didYouMean(key, allowed.keys)}`,
            { key: true },
          );
        } else {
          const hint = allowed ? didYouMean(key, allowed.keys) : "";
          const known = allowed && !hint ? ` (known keys: ${allowed.keys.join(", ")})` : "";
          issues.warning(keyPath, `unknown key '${key}' is ignored${hint}${known}`, { key: true });
        }
      }
      continue;
    }
    const value = valueAt(data, path);
    const parent = valueAt(data, path.slice(0, -1));
    const missing =
      value === undefined &&
      path.length > 0 &&
      !(parent !== null && typeof parent === "object" && String(path.at(-1)) in parent);
    if (missing) {
      issues.error(path, `required field '${String(path.at(-1))}' is missing`);
      continue;
    }
    issues.error(path, `${messageOf(issue)} (got ${describeValue(value)})`);
  }
}

function messageOf(issue: z.core.$ZodIssue): string {
  // Definitions give their own messages (`{ error: "..." }`); Zod's defaults start with a capital.
  const custom = !/^(Invalid|Too|Unrecognized|Expected)\b/.test(issue.message);
  if (custom) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "object" ? "a mapping" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      if (issue.origin === "array") return `must have at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === "string") return "must not be empty";
      return `must be ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}`;
    case "invalid_union":
      return "does not match any allowed form";
    default:
      return issue.message;
  }
}
