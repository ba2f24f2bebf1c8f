/**
 * Hot reload among many workers (issue #18): the built CLI over stdio, with a preload recording
 * which worker files the gateway reads. An edit re-reads only the file that changed, and every
 * edit — to one file, then another, a broken one and its fix — is served as written.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayStdioParams } from "../../fixtures/mcp-gateway-process.js";

const BACKEND = fileURLToPath(new URL("../../fixtures/mcp-reload-backends.js", import.meta.url));
const RECORDER = fileURLToPath(new URL("../../fixtures/read-recorder.mjs", import.meta.url));
const COUNT = 30;

const worker = (name: string, description: string) => `name: ${name}
description: "${description}"
worker_kind: processor
processing_backend: "${BACKEND}#GateBackend"
backend_config: { version: 1 }
input_schema: { type: object, properties: { text: { type: string } } }
output_schema: { type: object, properties: { text: { type: string } } }
`;

let dir: string;
let log: string;
let client: Client;
let changes = 0;
const names = Array.from({ length: COUNT }, (_, i) => `w${i}`);
const fileOf = (name: string) => path.join(dir, "workers", `${name}.yaml`);

async function reads(): Promise<string[]> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text.split("\n").filter(Boolean);
}

/** Resolves on the next tools/list_changed after `count` were seen. */
async function changeAfter(count: number): Promise<void> {
  while (changes <= count) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function descriptions(): Promise<Record<string, string | undefined>> {
  const { tools } = await client.listTools();
  return Object.fromEntries(tools.map((t) => [t.name, t.description]));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-reload-reads-"));
  log = path.join(dir, "reads.log");
  await mkdir(path.join(dir, "workers"));
  for (const name of names) await writeFile(fileOf(name), worker(name, `${name} v1`));
  const mcpFile = path.join(dir, "gateway.yaml");
  await writeFile(
    mcpFile,
    `name: many\ntools:\n  workers:\n${names.map((n) => `    - config: workers/${n}.yaml\n`).join("")}`,
  );
  const params = gatewayStdioParams(mcpFile, dir, {
    LOOM_LOG_LEVEL: "warn",
    NODE_OPTIONS: `--import ${RECORDER}`,
    LOOM_READ_PROBE_DIR: `${path.join(dir, "workers")}/`,
    LOOM_READ_PROBE_LOG: log,
  });
  client = new Client({ name: "t", version: "1" });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes += 1;
  });
  await client.connect(
    new StdioClientTransport({
      ...params,
      env: { ...(process.env as Record<string, string>), ...params.env },
      stderr: "ignore",
    }),
  );
});

afterAll(async () => {
  await client?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("hot reload among many workers", () => {
  it("reads each worker file once to start", async () => {
    expect(Object.keys(await descriptions())).toHaveLength(COUNT);
    const startReads = await reads();
    for (const name of names) {
      // Once to load, once for the watcher's record of its content.
      expect(startReads.filter((f) => f === fileOf(name)).length).toBeLessThanOrEqual(2);
    }
  });

  it("re-reads only the worker file that changed", async () => {
    const before = (await reads()).length;
    const seen = changes;
    await writeFile(fileOf("w7"), worker("w7", "w7 v2"));
    await changeAfter(seen);
    expect((await descriptions()).w7).toBe("w7 v2");
    const read = (await reads()).slice(before);
    expect(read.length).toBeGreaterThan(0);
    expect(new Set(read)).toEqual(new Set([fileOf("w7")]));
  });

  it("serves every edit as written: another file, a broken file (old tools kept), then its fix", async () => {
    let seen = changes;
    await writeFile(fileOf("w3"), worker("w3", "w3 v2"));
    await changeAfter(seen);
    let now = await descriptions();
    expect([now.w3, now.w7, now.w0]).toEqual(["w3 v2", "w7 v2", "w0 v1"]);

    await writeFile(fileOf("w3"), `${worker("w3", "w3 broken")}timeout_seconds: "soon"\n`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await descriptions()).w3).toBe("w3 v2");

    seen = changes;
    await writeFile(fileOf("w3"), worker("w3", "w3 v3"));
    await changeAfter(seen);
    now = await descriptions();
    expect([now.w3, now.w7]).toEqual(["w3 v3", "w7 v2"]);
  });
});
