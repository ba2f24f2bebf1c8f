/**
 * A payload skeleton from a JSON Schema, for the Test page's editor: every property with a
 * placeholder of its type (the schema's default, example or first enum value when it has one).
 *
 * @example skeletonOf({ type: "object", properties: { text: { type: "string" } } }) // { text: "" }
 */
export function skeletonOf(schema: unknown, depth = 0): unknown {
  if (schema === null || typeof schema !== "object" || depth > 8) return null;
  const s = schema as Record<string, unknown>;
  if ("default" in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("const" in s) return s.const;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      return "";
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, skeletonOf(value, depth + 1)]),
      );
    }
    default:
      return null;
  }
}
