/**
 * Router rules applied in-process, end to end: `router_rules:` of a gateway config and
 * `createServer({ routerRules })` (what `loom mcp --router-rules` passes) with a real MCP client,
 * `loom run worker --router-rules` and `loom run pipeline --router-rules` as real processes, and
 * the fake LLM as the only stand-in.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { validateConfigFile } from "../../src/config/index.js";
import type { LoomSettings } from "../../src/llm/settings.js";
import { createServer, type GatewayLogger, runStreamableHttp } from "../../src/mcp/index.js";
import type { PipelineResult } from "../../src/pipeline/types.js";
import type { TaskResult } from "../../src/worker/messages.js";
import type { FakeReply } from "../fixtures/fake-llm-server.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { connectHttp, resultText } from "../fixtures/mcp-clients.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MAIN = path.join(root, "src/cli/main.ts");
const TSX = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href;

const SHOUT = `name: "shout"
system_prompt: "SHOUT: answer with JSON only."
input_schema: { type: object, required: [text], properties: { text: { type: string } } }
output_schema: { type: object, required: [shouted], properties: { shouted: { type: string } } }
default_model_tier: "local"
timeout_seconds: 30
`;

const RULES = `tier_overrides:
  shout: "frontier"
rate_limits:
  frontier:
    max_concurrent: 1
`;

let llm: FakeLlm;
let dir: string;

function settingsFor(url: string): LoomSettings {
  const tier = (model: string) => ({ backend: "ollama" as const, model, baseUrl: url });
  return {
    tiers: { local: tier("local-model"), standard: tier("standard-model"), frontier: tier("frontier-model") },
    ollama: {},
    anthropic: {},
    openai: {},
    retry: { maxAttempts: 1 },
  };
}

const quietLogger = (): GatewayLogger & { lines: string[] } => {
  const lines: string[] = [];
  const log = (data: Record<string, unknown>, message: string) =>
    lines.push(`${message} ${JSON.stringify(data)}`);
  return { lines, debug: log, info: log, warn: log, error: log };
};

beforeAll(async () => {
  llm = await startFakeLlm();
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-router-rules-"));
  const files: Record<string, string> = {
    "configs/workers/shout.yaml": SHOUT,
    "configs/router_rules.yaml": RULES,
    "configs/mcp/with_rules.yaml": `name: "ruled"
router_rules: "../router_rules.yaml"
tools:
  workers:
    - config: "../workers/shout.yaml"
`,
    "configs/mcp/plain.yaml": `name: "plain"
tools:
  workers:
    - config: "../workers/shout.yaml"
`,
    "configs/mcp/missing_rules.yaml": `name: "missing"
router_rules: "../no_such_rules.yaml"
tools:
  workers:
    - config: "../workers/shout.yaml"
`,
    "configs/orchestrators/twice.yaml": `name: "twice"
pipeline_stages:
  - name: "first"
    worker_type: "shout"
    input_mapping: { text: "goal.context.text" }
  - name: "second"
    worker_type: "shout"
    input_mapping: { text: "goal.context.text" }
`,
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
});
afterAll(async () => {
  await llm.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => llm.reset());

/** Holds every chat request until `release()`; answers the shout worker. */
function heldResponder(): { release: () => void } {
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  llm.setResponder(async (): Promise<FakeReply> => {
    await gate;
    return { text: JSON.stringify({ shouted: "HI!" }), usage: { input: 10, output: 5 } };
  });
  return { release };
}

describe("router rules in the MCP gateway", () => {
  it("router_rules: in the config forces the tier and refuses a call over max_concurrent at once", async () => {
    const logger = quietLogger();
    await using server = await createServer(path.join(dir, "configs/mcp/with_rules.yaml"), {
      settings: settingsFor(llm.url),
      logger,
    });
    await using http = await runStreamableHttp(server, { port: 0 });
    const client = await connectHttp("sdk-v1", http.url);
    const held = heldResponder();
    const first = client.callTool("shout", { text: "hi" });
    await vi.waitFor(() => expect(llm.chatRequests()).toHaveLength(1));
    expect(llm.chatRequests()[0]?.model).toBe("frontier-model");

    const refused = await client.callTool("shout", { text: "again" });
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toMatch(/^rate_limited: .*tier 'frontier' already runs max_concurrent=1/);
    expect(JSON.stringify(refused._meta)).toContain('"retry_after_ms":1000');
    expect(llm.chatRequests()).toHaveLength(1);
    expect(logger.lines.join("\n")).toContain("tier override: worker 'shout' runs on tier 'frontier'");

    held.release();
    const done = await first;
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toEqual({ shouted: "HI!" });
    await client.close();
  }, 30_000);

  it("the routerRules option (loom mcp --router-rules) applies rules to a config without router_rules", async () => {
    await using server = await createServer(path.join(dir, "configs/mcp/plain.yaml"), {
      settings: settingsFor(llm.url),
      logger: quietLogger(),
      routerRules: path.join(dir, "configs/router_rules.yaml"),
    });
    await using http = await runStreamableHttp(server, { port: 0 });
    const client = await connectHttp("client-v2", http.url);
    llm.setResponder(() => ({ text: JSON.stringify({ shouted: "HI!" }) }));
    const result = await client.callTool("shout", { text: "hi" });
    expect(result.isError).toBeFalsy();
    expect(llm.chatRequests()[0]?.model).toBe("frontier-model");
    await client.close();
  }, 30_000);

  it("loom validate reports a router_rules file that does not exist", async () => {
    const report = await validateConfigFile(path.join(dir, "configs/mcp/missing_rules.yaml"));
    expect(report.issues).toContainEqual(
      expect.objectContaining({
        path: "router_rules",
        severity: "error",
        message: expect.stringContaining("router rules file not found"),
      }),
    );
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function loom(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", TSX, MAIN, ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const ENV = (url: string) => ({
  OLLAMA_HOST: url,
  LOOM_FRONTIER_BACKEND: "ollama",
  LOOM_FRONTIER_MODEL: "frontier-model",
});

describe("router rules on the command line", () => {
  it("loom run worker --router-rules runs the worker on its override tier", async () => {
    llm.setResponder(() => ({ text: JSON.stringify({ shouted: "HI!" }) }));
    const args = ["run", "worker", "--config", "configs/workers/shout.yaml", "--input", '{"text": "hi"}'];
    const run = await loom([...args, "--router-rules", "configs/router_rules.yaml"], ENV(llm.url));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as TaskResult).model_used).toBe("frontier-model");
    expect(llm.chatRequests()[0]?.model).toBe("frontier-model");
  }, 60_000);

  it("loom run pipeline --router-rules refuses the parallel stage over max_concurrent as rate_limited", async () => {
    llm.setResponder(() => ({ text: JSON.stringify({ shouted: "HI!" }), delayMs: 300 }));
    const args = ["run", "pipeline", "--config", "configs/orchestrators/twice.yaml", "--context", "text=hi"];
    const run = await loom([...args, "--router-rules", "configs/router_rules.yaml", "--quiet"], ENV(llm.url));
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as PipelineResult;
    // The refused stage fails at once (the runner then cancels its sibling, still at the LLM).
    const refused = Object.values(result.stages).find((s) => s.status === "failed");
    expect(JSON.stringify(refused?.error)).toContain("rate_limited");
    expect(run.stderr).toContain("max_concurrent=1");
    expect(llm.chatRequests().length).toBeLessThanOrEqual(1);
  }, 60_000);
});
