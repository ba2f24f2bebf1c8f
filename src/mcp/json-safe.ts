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
  return isPlainJson(value, 0) ? value : copy(value, new Set());
}

// Deeper than this is treated as possibly cyclic and copied (the copy finds the cycles).
const MAX_CHECKED_DEPTH = 64;

/**
 * Whether `value` is already what JSON.stringify writes unchanged: a walk that allocates nothing,
 * so the usual result (plain JSON from a backend or a model) is not copied.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_CHECKED_DEPTH) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (!isPlainJson(item, depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) return false;
        const inner = (value as Record<string, unknown>)[key];
        if (inner === undefined || !isPlainJson(inner, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
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
