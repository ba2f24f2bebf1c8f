/**
 * `loom validate` checks what `loom mcp` will need (issue #12): the workers of its pipelines, its
 * database files, its workspace folder; and a start-up that fails says so in one line.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../fixtures/mcp-gateway-process.js";

const BACKEND = fileURLToPath(new URL("../fixtures/mcp-backends.js", import.meta.url));
let dir: string;

function loom(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-startup-"));
  for (const folder of ["mcp", "pipes", "my-workers"]) await mkdir(path.join(dir, folder));
  await writeFile(
    path.join(dir, "my-workers/echo.yaml"),
    `name: "echo"\nworker_kind: "processor"\nprocessing_backend: "${BACKEND}#EchoBackend"\n` +
      "input_schema: { type: object }\noutput_schema: { type: object }\n",
  );
  await writeFile(
    path.join(dir, "pipes/p.yaml"),
    'name: "p"\npipeline_stages:\n  - name: "echo"\n    worker_type: "echo"\n    input_mapping: { text: "goal.context.text" }\n',
  );
  const gateway = (extra: string) =>
    `name: "gw"\n${extra}tools:\n  pipelines:\n    - config: "../pipes/p.yaml"\n      name: "run_p"\n`;
  await writeFile(path.join(dir, "mcp/no-workers.yaml"), gateway(""));
  await writeFile(path.join(dir, "mcp/workers-dir.yaml"), gateway('workers_dir: "../my-workers"\n'));
  await writeFile(
    path.join(dir, "mcp/missing-data.yaml"),
    'name: "gw"\ntools:\n  queries:\n    - backend: "loom.contrib.duckdb.DuckDBQueryBackend"\n' +
      '      actions: ["search"]\n      name_prefix: "docs"\n' +
      '      backend_config: { db_path: "../nope.duckdb", table_name: "documents" }\n' +
      'resources:\n  workspace_dir: "../no-such-folder"\n',
  );
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("gateway start-up checks", () => {
  it("validate: a pipeline whose workers folder cannot be found is an error, and --workers fixes it", async () => {
    const failed = await loom(["validate", "mcp/no-workers.yaml"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /no workers folder for pipeline .*set workers_dir: in this config or pass --workers DIR/,
    );
    expect((await loom(["validate", "--workers", "my-workers", "mcp/no-workers.yaml"])).code).toBe(0);
    expect((await loom(["validate", "mcp/workers-dir.yaml"])).code).toBe(0);
  });

  it("validate: a missing database file and workspace folder are warnings that say start-up fails; --strict fails", async () => {
    const { code, stdout } = await loom(["validate", "mcp/missing-data.yaml"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /warning: database file not found: .*nope\.duckdb; loom mcp will not start until it exists/,
    );
    expect(stdout).toMatch(/warning: workspace folder not found: .*no-such-folder; loom mcp will not start/);
    expect((await loom(["validate", "--strict", "mcp/missing-data.yaml"])).code).toBe(1);
  });

  it("loom mcp: no workers folder is one readable line with the fix, not a raw ENOENT", async () => {
    const { code, stderr } = await loom(["mcp", "--config", "mcp/no-workers.yaml"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/workers folder .* does not exist: .*pass --workers DIR/);
    expect(stderr).not.toMatch(/ENOENT|scandir|\n\s+at /);
  });
});
