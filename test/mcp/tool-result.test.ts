import { describe, expect, it } from "vitest";
import { ERROR_META_KEY, errorResult, successResult } from "../../src/mcp/tool-call.js";

describe("tool results are always serialisable", () => {
  it("a BigInt in an error's details (a DuckDB BIGINT in invalid output) still gives a sendable reply", () => {
    const result = errorResult({
      code: "invalid_output",
      message: "output.total: must be string",
      details: { output: { total: 42n, huge: 2n ** 64n } },
    });
    const sent = JSON.parse(JSON.stringify(result));
    expect(sent._meta[ERROR_META_KEY].details.output).toEqual({ total: 42, huge: "18446744073709551616" });
  });

  it("a success output with BigInt, functions and a cycle is converted, not thrown", () => {
    const output: Record<string, unknown> = { rows: [{ id: 7n }], fn: () => 1 };
    output.self = output;
    const result = successResult(output);
    const sent = JSON.parse(JSON.stringify(result));
    expect(sent.structuredContent).toEqual({ rows: [{ id: 7 }], self: "[Circular]" });
    expect(JSON.parse(sent.content[0].text)).toEqual(sent.structuredContent);
  });
});
