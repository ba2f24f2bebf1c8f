import { describe, expect, it } from "vitest";
import { keepListingJson, lineWithKeptListing } from "../../src/mcp/listing-json.js";

const tools = () => [
  { name: "echo", description: 'Says "hi"\n', inputSchema: { type: "object", properties: {} } },
  { name: "other", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
];

describe("the kept JSON of a cached tool list", () => {
  it("writes the line the SDK would write", () => {
    const listed = tools();
    keepListingJson(listed);
    const message = { result: { tools: listed, nextCursor: "x" }, jsonrpc: "2.0", id: 7 };
    expect(lineWithKeptListing(message)).toBe(`${JSON.stringify(message)}\n`);
  });

  it("turns the list into JSON once: later answers reuse the text", () => {
    const listed = tools();
    keepListingJson(listed);
    const first = lineWithKeptListing({ result: { tools: listed }, jsonrpc: "2.0", id: 1 });
    // A kept list never changes; changing it anyway shows that the text is not made again.
    (listed[0] as { name: string }).name = "renamed";
    const second = lineWithKeptListing({ result: { tools: listed }, jsonrpc: "2.0", id: 2 });
    expect(second).toBe(first?.replace('"id":1', '"id":2'));
    expect(second).not.toContain("renamed");
  });

  it("leaves every other message to the SDK", () => {
    expect(lineWithKeptListing({ result: { tools: tools() }, jsonrpc: "2.0", id: 1 })).toBeUndefined();
    expect(lineWithKeptListing({ result: {}, jsonrpc: "2.0", id: 1 })).toBeUndefined();
    expect(
      lineWithKeptListing({ method: "notifications/tools/list_changed", jsonrpc: "2.0" }),
    ).toBeUndefined();
    expect(lineWithKeptListing(null)).toBeUndefined();
  });
});
