/**
 * Makes a tool's output safe to send as JSON: a result that cannot be serialised means no reply
 * at all, and the client waits forever. DuckDB BIGINT columns give BigInt values; a backend may
 * return functions or cycles by mistake.
 */

/**
 * A JSON-safe copy of `value`: a BigInt becomes a number when it fits exactly
 * (`Number.isSafeInteger`), else its decimal string; functions, symbols and `undefined` are
 * dropped (as `JSON.stringify` drops them); a repeated reference to an enclosing object (a cycle)
 * becomes `"[Circular]"`; non-finite numbers become `null` (as `JSON.stringify` writes them);
 * objects with `toJSON` (such as `Date`) are serialised through it.
 *
 * @example toJsonSafe({ n: 12n, big: 2n ** 64n }) // { n: 12, big: "18446744073709551616" }
 */
export function toJsonSafe(value: unknown): unknown {
  return convert(value, new Set());
}

function convert(value: unknown, ancestors: Set<object>): unknown {
  if (typeof value === "bigint") {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "function" || typeof value === "symbol" || value === undefined) return undefined;
  if (typeof value !== "object" || value === null) return value;
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === "function")
    return convert((withToJson.toJSON as () => unknown)(), ancestors);
  if (ancestors.has(value)) return "[Circular]";
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => convert(item, ancestors) ?? null);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const converted = convert(child, ancestors);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
