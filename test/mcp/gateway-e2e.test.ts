/**
 * End to end: the built `loom mcp` serving a project with processor and LLM workers, pipelines and
 * DuckDB query tools, over stdio and streamable HTTP, to both official clients — once running
 * everything in the gateway process, once with every worker and stage on a NATS mesh (router,
 * worker and processor processes). The LLM is the fake LLM server; everything else is real.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeLlm } from "../fixtures/fake-llm-server.js";
import { type GatewayMesh, startGatewayMesh } from "../fixtures/gateway-mesh.js";
import {
  CLIENT_KINDS,
  connectHttp,
  connectStdio,
  type ProgressUpdate,
  resultText,
  type TestClient,
} from "../fixtures/mcp-clients.js";
import {
  type GatewayProcess,
  gatewayStdioParams,
  startGatewayHttp,
} from "../fixtures/mcp-gateway-process.js";
import { type GatewayProject, startGatewayProject } from "../fixtures/mcp-gateway-project.js";

let llm: FakeLlm;
let project: GatewayProject;

beforeAll(async () => {
  ({ llm, project } = await startGatewayProject());
});

afterAll(async () => {
  await llm.close();
  await rm(project.dir, { recursive: true, force: true });
});

/** Resolves once `read()` matches `pattern` more than `count` times (the test timeout bounds it). */
async function waitForMatches(read: () => string, pattern: RegExp, count: number): Promise<void> {
  const global = new RegExp(pattern.source, "g");
  while ((read().match(global)?.length ?? 0) <= count) await new Promise((r) => setTimeout(r, 25));
}

const combos = (["stdio", "http"] as const).flatMap((transport) =>
  CLIENT_KINDS.map((kind) => [transport, kind] as const),
);

describe.each(["in-process", "on the NATS mesh"] as const)("tools running %s", (mode) => {
  let http: GatewayProcess;
  let mesh: GatewayMesh | undefined;
  let meshArgs: string[] = [];

  beforeAll(async () => {
    if (mode === "on the NATS mesh") {
      mesh = await startGatewayMesh(project);
      meshArgs = ["--nats-url", mesh.natsUrl];
    }
    http = await startGatewayHttp(project.config, project.dir, {}, meshArgs);
  }, 60_000);

  afterAll(async () => {
    expect(await http.stop()).toBe(0);
    await mesh?.stop();
  });

  describe.each(combos)("loom mcp over %s with %s", (transport, kind) => {
    let client: TestClient;
    const serverStderr = () => (transport === "stdio" ? client.stderr() : http.stderr());

    beforeAll(async () => {
      client =
        transport === "stdio"
          ? await connectStdio(kind, gatewayStdioParams(project.config, project.dir, {}, meshArgs))
          : await connectHttp(kind, http.url);
    });

    afterAll(async () => {
      await client.close();
    });

    it("lists every tool with the schemas and hints of its config", async () => {
      const tools = new Map((await client.listTools()).map((t) => [t.name, t]));
      expect([...tools.keys()]).toEqual([
        "echo",
        "shout_text",
        "bad_output",
        "llm_down",
        "too_slow",
        "shout_pipeline",
        "hang_pipeline",
        "docs_search",
        "docs_filter",
        "docs_get",
      ]);
      const shout = tools.get("shout_text");
      expect(shout?.description).toBe("Shouts the text back");
      expect(shout?.inputSchema).toEqual({
        type: "object",
        required: ["text"],
        properties: { text: { type: "string", minLength: 1, description: "Some text" } },
      });
      expect(shout?.outputSchema).toMatchObject({ required: ["shouted"] });
      expect(shout?.annotations).toMatchObject({ openWorldHint: true });
      expect(tools.get("echo")?.annotations).toMatchObject({ openWorldHint: false });
      expect(tools.get("shout_pipeline")?.inputSchema).toMatchObject({
        type: "object",
        required: ["text"],
        properties: { text: { type: "string", minLength: 1 } },
      });
      const filter = tools.get("docs_filter")?.inputSchema as {
        properties: Record<string, { type?: string }>;
      };
      expect(filter.properties.min_score?.type).toBe("number");
      expect(filter.properties.status?.type).toBe("string");
      expect(tools.get("docs_get")?.inputSchema).toMatchObject({
        required: ["id"],
        properties: { id: { type: "integer" } },
      });
      expect(tools.get("docs_search")?.annotations).toMatchObject({
        readOnlyHint: true,
        idempotentHint: true,
      });
    });

    it("runs a processor worker", async () => {
      const result = await client.callTool("echo", { text: "hello" });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ text: "hello", length: 5 });
      expect(JSON.parse(resultText(result))).toEqual({ text: "hello", length: 5 });
    });

    it("runs an LLM worker against the model", async () => {
      const before = llm.chatRequests().length;
      const result = await client.callTool("shout_text", { text: `hi ${kind}` });
      expect(result.structuredContent).toEqual({ shouted: `HI ${kind.toUpperCase()}!` });
      expect(llm.chatRequests().length).toBe(before + 1);
    });

    it("runs a pipeline with progress and logs naming each stage", async () => {
      await client.setLogLevel("info");
      const updates: ProgressUpdate[] = [];
      const result = await client.callTool(
        "shout_pipeline",
        { text: "quiet" },
        { onprogress: (u) => updates.push(u) },
      );
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        status: "completed",
        outputs: {
          prepare: { text: "quiet", length: 5 },
          shout: { shouted: "QUIET!" },
          measure: { text: "QUIET!", length: 6 },
        },
        stages: { prepare: "completed", shout: "completed", measure: "completed" },
      });
      const timeline = (result.structuredContent?.timeline ?? []) as Array<{ stage: string }>;
      expect(timeline.map((t) => t.stage)).toEqual(["prepare", "shout", "measure"]);
      const values = updates.map((u) => u.progress);
      for (let i = 1; i < values.length; i += 1) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
      expect(updates.every((u) => u.total === 3)).toBe(true);
      expect(updates.at(-1)?.progress).toBe(3);
      expect(updates.map((u) => u.message)).toContain("stage 'shout' completed");
      const logs = client.logs.map((l) => JSON.stringify(l.data));
      expect(logs.some((l) => l.includes("stage 'measure' completed"))).toBe(true);
    });

    it("runs query tools over the sample database it created", async () => {
      expect(existsSync(project.dbPath)).toBe(true);
      const result = await client.callTool("docs_filter", { status: "published", min_score: 5, limit: 5 });
      expect(result.isError).toBeFalsy();
      const rows = (result.structuredContent?.results ?? []) as Array<{ status: string; score: number }>;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.status === "published" && r.score >= 5)).toBe(true);
      const one = await client.callTool("docs_get", { id: 2 });
      expect(one.structuredContent).toMatchObject({ record: { id: 2 } });
      const found = await client.callTool("docs_search", { query: "postgres" });
      expect(JSON.stringify(found.structuredContent)).toContain("Postgres");
      // The table has a `score` column: the BM25 relevance is named apart from it.
      const [top] = (found.structuredContent?.results ?? []) as Array<Record<string, unknown>>;
      expect(top).toMatchObject({ score: expect.any(Number), _relevance: expect.any(Number) });
      expect(Object.keys(top ?? {})).not.toContain("score:1");
    });

    it("a query tool's error names the tool, not its internal worker", async () => {
      const result = await client.callTool("docs_get", { id: "not-a-number" });
      expect(result.isError).toBe(true);
      expect(resultText(result)).not.toMatch(/mcp-query/);
    });

    it("reports every failure as an isError result with its code and message", async () => {
      const expectError = async (tool: string, args: Record<string, unknown>, pattern: RegExp) => {
        const result = await client.callTool(tool, args);
        expect(result.isError, `${tool} should fail`).toBe(true);
        expect(resultText(result)).toMatch(pattern);
      };
      await expectError("echo", { text: 42 }, /text: must be string \(got number 42\)/);
      await expectError("echo", { text: "explode" }, /^backend_error: .*exploded on purpose/);
      await expectError("bad_output", { text: "x" }, /^invalid_output: .*shouted/);
      await expectError("llm_down", { text: "x" }, /^llm_error: /);
      await expectError("too_slow", { text: "x" }, /^timeout: /);
      await expectError("docs_filter", { status: 5 }, /status: must be string/);
      await expectError(
        "shout_pipeline",
        { text: "explode" },
        /^backend_error: pipeline 'shout_pipeline' failed: .*prepare/,
      );
    });

    it("cancels a pipeline mid-way, stopping the stage waiting on the model", async () => {
      const cancelled = /tool call failed {2}tool=hang_pipeline [^\n]*code=cancelled/;
      const before = serverStderr().match(new RegExp(cancelled.source, "g"))?.length ?? 0;
      const hangRequests = () => llm.chatRequests().filter((r) => r.system?.includes("HANG")).length;
      const requestsBefore = hangRequests();
      const controller = new AbortController();
      const call = client.callTool(
        "hang_pipeline",
        { text: "wait for me" },
        {
          signal: controller.signal,
          onprogress: (u) => {
            // Cancel once the stage waits on the model (on the mesh its request starts a moment later).
            if (u.message !== "stage 'wait' started") return;
            void (async () => {
              while (hangRequests() === requestsBefore) await new Promise((r) => setTimeout(r, 10));
              controller.abort();
            })();
          },
        },
      );
      await expect(call).rejects.toThrow();
      await waitForMatches(serverStderr, cancelled, before);
      expect(hangRequests()).toBe(requestsBefore + 1);
    });
  });
});
