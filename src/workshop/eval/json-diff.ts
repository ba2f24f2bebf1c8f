/**
 * A structural diff of two JSON values, for showing why a case failed: which paths were added,
 * removed or changed between the expected and the actual output.
 */
import { formatPath } from "../../config/yaml-source.js";
import { isJsonObject } from "./deep-equal.js";

/** One difference. `path` reads like `people[1]` or `address.city` ("" for the whole value). */
export interface JsonDiffEntry {
  path: string;
  /** `added`: only in actual; `removed`: only in expected; `changed`: in both, different. */
  kind: "added" | "removed" | "changed";
  expected?: unknown;
  actual?: unknown;
}

/**
 * The differences from `expected` to `actual`, depth first in key order of `expected` (keys only
 * in `actual` after). Objects are compared key by key, arrays index by index; a value whose type
 * differs is one `changed` entry.
 *
 * @example
 * jsonDiff({ people: ["Ann", "Bo"] }, { people: ["Ann", "Bob"], count: 2 })
 * // [{ path: "people[1]", kind: "changed", expected: "Bo", actual: "Bob" },
 * //  { path: "count", kind: "added", actual: 2 }]
 */
export function jsonDiff(expected: unknown, actual: unknown): JsonDiffEntry[] {
  const out: JsonDiffEntry[] = [];
  walk(expected, actual, [], out);
  return out;
}

function walk(expected: unknown, actual: unknown, at: (string | number)[], out: JsonDiffEntry[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(expected.length, actual.length);
    for (let i = 0; i < length; i++) {
      if (i >= actual.length)
        out.push({ path: formatPath([...at, i]), kind: "removed", expected: expected[i] });
      else if (i >= expected.length)
        out.push({ path: formatPath([...at, i]), kind: "added", actual: actual[i] });
      else walk(expected[i], actual[i], [...at, i], out);
    }
    return;
  }
  if (isJsonObject(expected) && isJsonObject(actual)) {
    for (const key of Object.keys(expected)) {
      if (!Object.hasOwn(actual, key)) {
        out.push({ path: formatPath([...at, key]), kind: "removed", expected: expected[key] });
      } else walk(expected[key], actual[key], [...at, key], out);
    }
    for (const key of Object.keys(actual)) {
      if (!Object.hasOwn(expected, key))
        out.push({ path: formatPath([...at, key]), kind: "added", actual: actual[key] });
    }
    return;
  }
  if (expected !== actual) out.push({ path: formatPath(at), kind: "changed", expected, actual });
}
