/**
 * A config of the wrong kind gets one line that says what the file is and which command takes it,
 * instead of a gateway with zero tools or a wall of unknown-key warnings (issue #12).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI } from "../fixtures/mcp-gateway-process.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORKER = path.join(root, "configs/workers/summarizer.yaml");
const PIPELINE = path.join(root, "configs/orchestrators/analysis_pipeline.yaml");

function loom(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd: root }, (error, stdout, stderr) =>
      resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe("a config of the wrong kind is refused with what to run instead", () => {
  it.each([
    [["mcp", "--config", WORKER], /this is a worker config, not an MCP gateway config.*loom run worker/],
    [
      ["mcp", "--config", PIPELINE],
      /this is a pipeline config, not an MCP gateway config.*loom run pipeline/,
    ],
    [
      ["run", "worker", "--config", PIPELINE, "--input", "{}"],
      /this is a pipeline config.*loom run pipeline/,
    ],
    [["run", "pipeline", "--config", WORKER, "--context", "a=b"], /this is a worker config.*loom run worker/],
  ])("loom %j", async (args, message) => {
    const { code, stderr, stdout } = await loom(args);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/unknown key/);
    expect(stdout).toBe("");
  });
});
