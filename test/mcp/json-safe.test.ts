import { describe, expect, it } from "vitest";
import { toJsonSafe } from "../../src/mcp/json-safe.js";
import { errorResult, successResult } from "../../src/mcp/tool-call.js";

describe("results are always plain JSON", () => {
  it("BigInt becomes a number when safe, a string otherwise; functions and cycles are dropped", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(
      toJsonSafe({ small: 42n, big: 2n ** 70n, fn: () => 1, when: new Date(0), inf: Infinity, cyclic }),
    ).toEqual({
      small: 42,
      big: "1180591620717411303424",
      when: "1970-01-01T00:00:00.000Z",
      inf: null,
      cyclic: { name: "loop", self: "[cycle]" },
    });
  });

  it("plain JSON is returned as it is; anything JSON.stringify would change is copied", () => {
    const plain = { text: "x", n: 1.5, ok: true, none: null, list: [1, "a", { deep: [] }] };
    expect(toJsonSafe(plain)).toBe(plain);
    const withGap = [1, undefined];
    expect(toJsonSafe(withGap)).toEqual([1, null]);
    expect(toJsonSafe({ a: undefined, b: 1 })).toEqual({ b: 1 });
    expect(toJsonSafe({ nan: Number.NaN })).toEqual({ nan: null });
    class Point {
      x = 1;
    }
    const point = { at: new Point() };
    expect(toJsonSafe(point)).not.toBe(point);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i += 1) deep = { deep };
    expect(JSON.stringify(toJsonSafe(deep))).toBe(JSON.stringify(deep));
  });

  it("an error result carrying a BigInt in its details can be written", () => {
    const result = errorResult({
      code: "invalid_output",
      message: "bad",
      details: { output: { n: 2n ** 64n } },
    });
    expect(JSON.parse(JSON.stringify(result))._meta["loom/error"].details).toEqual({
      output: { n: "18446744073709551616" },
    });
  });

  it("output that cannot be written at all becomes an isError result saying so", () => {
    const hostile = {
      toJSON() {
        throw new Error("no JSON for you");
      },
    };
    const result = successResult({ hostile });
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({
      text: expect.stringMatching(/could not be written as JSON: no JSON for you/),
    });
  });
});
