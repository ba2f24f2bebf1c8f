/**
 * Tool lists written as JSON once per tool set (#18). Every `tools/list` of a tool set is answered
 * with the same cached `tools` array (`listToolsOncePerSet` in mcp-server.ts); at 1,000 tools,
 * turning it into JSON took ~2.5 ms per list, a quarter of what an SDK client waits for the list.
 * The stdio transport writes the JSON kept here instead.
 */

/** The cached `tools` arrays, each with its JSON once it was written. */
const listings = new WeakMap<object, { json?: string }>();

/** Marks `tools` as a cached answer that never changes, so its JSON may be kept. */
export function keepListingJson(tools: readonly unknown[]): void {
  if (!listings.has(tools)) listings.set(tools, {});
}

const PLACEHOLDER = "\u0000loom:tools\u0000";
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

/**
 * The line the SDK writes for `message` (`JSON.stringify(message)` and a newline), made with the
 * kept JSON of the tool list it carries; undefined when it carries none.
 */
export function lineWithKeptListing(message: unknown): string | undefined {
  const tools = (message as { result?: { tools?: unknown } } | null)?.result?.tools;
  const kept = typeof tools === "object" && tools !== null ? listings.get(tools) : undefined;
  if (!kept) return undefined;
  kept.json ??= JSON.stringify(tools);
  const json = kept.json;
  const line = JSON.stringify(message, (_key, value: unknown) => (value === tools ? PLACEHOLDER : value));
  return `${line.replace(PLACEHOLDER_JSON, () => json)}\n`;
}
