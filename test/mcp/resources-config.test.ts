/**
 * The `resources:` block of an MCP config at gateway start: a missing workspace folder is refused
 * in one line (or created and logged with `create: true`), system folders are refused unless
 * `allow_system_dir: true`, and `max_file_bytes` caps `resources/read` for real clients. The
 * template description names no server path.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type GatewayLogger, runStreamableHttp } from "../../src/mcp/index.js";
import { connectResourceClient } from "../fixtures/mcp-resource-clients.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

function recordingLogger(): GatewayLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (data: Record<string, unknown>, message: string) => {
    lines.push(`${message} ${JSON.stringify(data)}`);
  };
  return { lines, debug: log, info: log, warn: log, error: log };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-resources-config-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, resources: string): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, `name: "${name}"\nresources:\n${resources}`);
  return file;
}

describe("gateway resources config", () => {
  it("refuses a missing workspace folder at start in one line naming the path and the fix", async () => {
    const file = await config("missing", '  workspace_dir: "./no-such-folder"\n');
    const missing = path.join(dir, "no-such-folder");
    await expect(createServer(file, { logger: recordingLogger() })).rejects.toThrow(
      `resources.workspace_dir ${missing}: the folder does not exist; create it (mkdir -p ${missing}) or set resources.create: true`,
    );
    const run = spawnSync(process.execPath, [CLI, "mcp", "--config", file], { encoding: "utf8", input: "" });
    expect(run.status).not.toBe(0);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
    expect(existsSync(missing)).toBe(false);
  });

  it("creates the folder with a log line when resources.create is true", async () => {
    const file = await config("create", '  workspace_dir: "./made-for-me"\n  create: true\n');
    const logger = recordingLogger();
    await using server = await createServer(file, { logger, watchResources: false });
    expect(server).toBeDefined();
    expect(existsSync(path.join(dir, "made-for-me"))).toBe(true);
    expect(logger.lines.some((l) => l.includes("created the missing workspace folder"))).toBe(true);
  });

  it("refuses workspace_dir: /etc unless allow_system_dir is true", async () => {
    const refused = await config("etc", '  workspace_dir: "/etc"\n');
    await expect(createServer(refused, { logger: recordingLogger(), watchResources: false })).rejects.toThrow(
      /system folder \/etc.*resources\.allow_system_dir: true/,
    );
    const allowed = await config(
      "etc-allowed",
      '  workspace_dir: "/etc"\n  allow_system_dir: true\n  patterns: ["hostname"]\n',
    );
    await using server = await createServer(allowed, { logger: recordingLogger(), watchResources: false });
    expect(server).toBeDefined();
  });

  it("max_file_bytes caps resources/read for a real client; the template names no server path", async () => {
    const workspace = path.join(dir, "capped");
    await mkdir(workspace);
    await writeFile(path.join(workspace, "small.md"), "small");
    await writeFile(path.join(workspace, "big.md"), "b".repeat(300));
    const file = await config(
      "capped",
      '  workspace_dir: "./capped"\n  max_file_bytes: 100\n  max_concurrent_reads: 2\n',
    );
    await using server = await createServer(file, { logger: recordingLogger(), watchResources: false });
    const http = await runStreamableHttp(server, { port: 0 });
    const client = await connectResourceClient("client-v2", http.url);
    try {
      expect(await client.read("workspace:///small.md")).toMatchObject([{ text: "small" }]);
      await expect(client.read("workspace:///big.md")).rejects.toThrow(
        "'big.md' is too large to read: 300 bytes, the limit is 100 bytes",
      );
      const templates = (await client.listTemplates()) as Array<{ description?: string }>;
      expect(templates[0]?.description).toBeDefined();
      expect(templates[0]?.description).not.toContain(dir);
    } finally {
      await client.close();
      await http.close();
    }
  });
});
