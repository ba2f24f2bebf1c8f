/**
 * Follows a mapping path into a worker's JSON Schema (`properties` for names, `items` /
 * `prefixItems` for indices, local `$ref`s) as deep as the schema declares, and compares the
 * `type`s of a producer's field and a consumer's input.
 */
import type { PathSegment } from "../../config/mapping-path.js";

type Schema = Record<string, unknown>;

/** Where a path led: a schema, a name the schema does not declare, or past what it declares. */
export type SchemaLookup =
  | { kind: "found"; schema: Schema }
  | { kind: "missing"; name: string; depth: number; available: string[] }
  | { kind: "unknown" };

function asSchema(v: unknown): Schema | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Schema) : undefined;
}

/** Resolves a local `$ref` (`#/$defs/x`, `#/definitions/x`) against the root schema. */
function deref(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hops = 0; hops < 8 && typeof current.$ref === "string"; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#/")) return current;
    let target: unknown = root;
    for (const part of ref.slice(2).split("/")) {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      const node = asSchema(target);
      target = node && Object.hasOwn(node, key) ? node[key] : undefined;
    }
    const next = asSchema(target);
    if (!next) return current;
    current = next;
  }
  return current;
}

/** Follows `segments` from `root`. */
export function walkSchema(root: Schema, segments: readonly PathSegment[]): SchemaLookup {
  let current = deref(root, root);
  for (const [depth, segment] of segments.entries()) {
    let next: Schema | undefined;
    if (typeof segment === "number") {
      const tuple = Array.isArray(current.prefixItems) ? current.prefixItems : undefined;
      next = asSchema(tuple ? tuple[segment] : undefined) ?? asSchema(current.items);
    } else {
      const properties = asSchema(current.properties);
      if (!properties) return { kind: "unknown" };
      if (!Object.hasOwn(properties, segment))
        return { kind: "missing", name: segment, depth, available: Object.keys(properties) };
      next = asSchema(properties[segment]);
    }
    if (!next) return { kind: "unknown" };
    current = deref(next, root);
  }
  return { kind: "found", schema: current };
}

/** The JSON types a schema declares with `type`, or undefined when it declares none. */
export function schemaTypes(schema: Schema): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type) && schema.type.every((t) => typeof t === "string"))
    return schema.type as string[];
  return undefined;
}

/**
 * How well values of the producer's types fit the consumer's: `ok`, `partial` (some may not:
 * a nullable string into a string, a number into an integer) or `none`.
 *
 * Contracts are validated without type coercion (src/contracts/validate.ts, `coerceTypes:
 * false`), so a number mapped into a string input fails the consumer's input_schema at run time:
 * that is `none`, an error, not a warning.
 */
export function typeFit(producer: readonly string[], consumer: readonly string[]): "ok" | "partial" | "none" {
  const accepts = (t: string) => consumer.includes(t) || (t === "integer" && consumer.includes("number"));
  const mayFit = (t: string) => accepts(t) || (t === "number" && consumer.includes("integer"));
  if (producer.every(accepts)) return "ok";
  return producer.some(mayFit) ? "partial" : "none";
}
