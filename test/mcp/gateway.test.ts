import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoomSettings } from "../../src/llm/settings.js";
import { createServer, type GatewayLogger, runStreamableHttp } from "../../src/mcp/index.js";
import { freePort } from "../fixtures/free-port.js";
import { connectHttp, resultText } from "../fixtures/mcp-clients.js";
import { connectResourceClient } from "../fixtures/mcp-resource-clients.js";

const EXAMPLE = fileURLToPath(new URL("../../configs/mcp/example.yaml", import.meta.url));

/** A logger that keeps every line, to check what the gateway says on stderr. */
function recordingLogger(): GatewayLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (data: Record<string, unknown>, message: string) => {
    lines.push(`${message} ${JSON.stringify(data)}`);
  };
  return { lines, debug: log, info: log, warn: log, error: log };
}

let dir: string;
let cacheHome: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-mcp-gateway-"));
  cacheHome = process.env.XDG_CACHE_HOME;
});

afterAll(async () => {
  if (cacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = cacheHome;
  await rm(dir, { recursive: true, force: true });
});

describe("mcp gateway from the quick-start config", () => {
  it("serves processor and query tools with nothing installed, and explains the missing LLM", async () => {
    const settings: LoomSettings = {
      tiers: {},
      ollama: { host: `http://127.0.0.1:${await freePort()}` },
      anthropic: {},
      openai: {},
      retry: { maxAttempts: 1 },
    };
    await using server = await createServer(EXAMPLE, { settings, logger: recordingLogger() });
    await using http = await runStreamableHttp(server, { port: 0 });
    const client = await connectHttp("sdk-v1", http.url);
    const names = (await client.listTools()).map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["read_document", "summarize", "analyze_document", "docs_search", "docs_stats"]),
    );
    const read = await client.callTool("read_document", { file_ref: "sample_report.md" });
    expect(read.isError).toBeFalsy();
    expect(Number(read.structuredContent?.page_count)).toBeGreaterThan(0);
    const stats = await client.callTool("docs_stats", { group_by: "category" });
    expect(stats.isError).toBeFalsy();
    expect(JSON.stringify(stats.structuredContent)).toContain("engineering");
    const summary = await client.callTool("summarize", { text: "Loom serves workers over MCP." });
    expect(summary.isError).toBe(true);
    expect(resultText(summary)).toMatch(/no LLM backend for tier local: .*(start Ollama|OLLAMA_HOST)/);
    await client.close();

    const reader = await connectResourceClient("sdk-v1", http.url);
    const uris = (await reader.listResources()).map((r) => r.uri);
    expect(uris).toContain("workspace:///sample_report.md");
    const [report] = await reader.read("workspace:///sample_report.md");
    expect(report?.text).toContain("Quarterly Operations Report");
    await reader.close();
  });
});

describe("mcp gateway config handling", () => {
  it("a config naming a NATS server that is not there fails to start, naming the server", async () => {
    const file = path.join(dir, "nats.yaml");
    await writeFile(
      file,
      'name: "nats_gateway"\nnats_url: "nats://127.0.0.1:1"\ntools:\n  workers:\n    - config: "' +
        path.join(path.dirname(EXAMPLE), "../workers/doc_extractor.yaml") +
        '"\n',
    );
    await expect(createServer(file, { logger: recordingLogger() })).rejects.toThrow(
      /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: .*nats-server -js/,
    );
  });

  it("creates the sample database in the cache folder when the configured folder is not writable", async () => {
    process.env.XDG_CACHE_HOME = path.join(dir, "cache");
    // A file where the folder should be: nothing can be created under it.
    const blocked = path.join(dir, "blocked");
    await writeFile(blocked, "not a folder");
    const file = path.join(dir, "sample.yaml");
    await writeFile(
      file,
      [
        'name: "sample_gateway"',
        "tools:",
        "  queries:",
        '    - backend: "loom.contrib.duckdb.DuckDBQueryBackend"',
        '      actions: ["get"]',
        '      name_prefix: "docs"',
        "      backend_config:",
        `        db_path: "${blocked}/sample.duckdb"`,
        "        sample_data: true",
        '        table_name: "documents"',
        "",
      ].join("\n"),
    );
    await using server = await createServer(file, { logger: recordingLogger() });
    expect(server.tools.map((t) => t.name)).toEqual(["docs_get"]);
    expect(existsSync(path.join(dir, "cache", "loom", "sample.duckdb"))).toBe(true);
  });

  it("refuses a pipeline whose stage names an unknown worker, listing the known ones", async () => {
    const file = path.join(dir, "bad-pipeline.yaml");
    const pipeline = path.join(dir, "orchestrators", "p.yaml");
    await mkdir(path.dirname(pipeline), { recursive: true });
    await writeFile(
      pipeline,
      'name: "p"\npipeline_stages:\n  - name: "a"\n    worker_type: "no_such_worker"\n    input_mapping: { text: "goal.context.text" }\n',
    );
    await mkdir(path.join(dir, "workers"), { recursive: true });
    await writeFile(
      file,
      `name: "bad"\ntools:\n  pipelines:\n    - config: "${pipeline}"\n      name: "run_p"\n`,
    );
    await expect(createServer(file, { logger: recordingLogger() })).rejects.toThrow(
      /unknown worker 'no_such_worker'/,
    );
  });
});
