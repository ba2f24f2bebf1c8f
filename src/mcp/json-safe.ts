/**
 * Plain JSON from whatever a tool produced. A value JSON cannot carry must never cost the client
 * its reply (issue #11: a BigInt from a DuckDB BIGINT column made serialising the result throw, and
 * the client waited forever).
 */

/**
 * A copy of `value` that `JSON.stringify` can always write: BigInt becomes a number when it is a
 * safe integer and a decimal string otherwise; functions, symbols and `undefined` are dropped (as
 * JSON.stringify drops them); a repeated reference to an object still being copied (a cycle)
 * becomes the string "[cycle]"; `toJSON()` is honoured (Date → ISO string); non-finite numbers
 * become null.
 *
 * @example toJsonSafe({ n: 2n ** 70n, f() {} }) // { n: "1180591620717411303424" }
 */
export function toJsonSafe(value: unknown): unknown {
  return copy(value, new Set());
}

function copy(value: unknown, path: Set<object>): unknown {
  switch (typeof value) {
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "number":
      return Number.isFinite(value) ? value : null;
    case "function":
    case "symbol":
    case "undefined":
      return undefined;
    case "object": {
      if (value === null) return null;
      if (path.has(value)) return "[cycle]";
      const withToJson = value as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === "function") return copy(withToJson.toJSON(), path);
      path.add(value);
      try {
        if (Array.isArray(value)) return value.map((item) => copy(item, path) ?? null);
        const out: Record<string, unknown> = {};
        for (const [key, inner] of Object.entries(value)) {
          const safe = copy(inner, path);
          if (safe !== undefined) out[key] = safe;
        }
        return out;
      } finally {
        path.delete(value);
      }
    }
    default:
      return value;
  }
}
