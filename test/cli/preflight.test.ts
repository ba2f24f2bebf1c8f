/**
 * Pre-flight checks as a user meets them: `loom worker` stops at start with the fix when its LLM
 * or NATS is not there (and starts anyway with --skip-preflight), and `loom doctor` checks a project.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { freePort } from "../fixtures/free-port.js";
import { CLI } from "../fixtures/mcp-gateway-process.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";
import { type WorkshopProject, writeWorkshopProject } from "../fixtures/workshop-project.js";

const exec = promisify(execFile);

async function loom(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("pre-flight checks", () => {
  let llm: FakeLlm;
  let nats: NatsServerHandle;
  let project: WorkshopProject;

  beforeAll(async () => {
    llm = await startFakeLlm();
    nats = await startNatsServer();
    project = await writeWorkshopProject(llm.url);
  });
  afterAll(async () => {
    await llm?.close();
    await nats?.stop();
  });

  it("loom worker stops at start with the fix when NATS is not there", async () => {
    const worker = path.join(project.configsDir, "workers", "entity_extractor.yaml");
    const result = await loom(
      ["worker", "--config", worker, "--nats-url", `nats://127.0.0.1:${await freePort()}`],
      project.dir,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("✓ config");
    expect(result.stderr).toMatch(/✗ NATS: cannot connect to NATS .* — fix: start it: nats-server -js/);
    expect(result.stderr).toContain("--skip-preflight");
  });

  it("loom worker stops with the fix when its tier's Ollama is not there", async () => {
    const worker = path.join(project.configsDir, "workers", "entity_extractor.yaml");
    const dir = path.dirname(project.dir); // no loom.yaml here: the local tier looks for Ollama
    const env = { ...process.env, OLLAMA_HOST: `http://127.0.0.1:${await freePort()}` };
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, "worker", "--config", worker, "--nats-url", nats.url],
        { cwd: dir, env, timeout: 20_000 },
        (error, _stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("✓ NATS");
    expect(result.stderr).toMatch(/✗ LLM tier local: Ollama at .* is not reachable — fix: ollama serve/);
  });

  it("loom worker stops with `ollama pull` when its tier's Ollama lacks the model", async () => {
    await using empty = await startFakeLlm({ models: [] }); // an Ollama with nothing pulled
    const worker = path.join(project.configsDir, "workers", "entity_extractor.yaml");
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, "worker", "--config", worker, "--nats-url", nats.url],
        { cwd: project.dir, env: { ...process.env, OLLAMA_HOST: empty.url }, timeout: 20_000 },
        (error, _stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /✗ LLM tier local: Ollama at .* does not list fake-model \(it lists: no models\) — fix: ollama pull fake-model/,
    );
    expect(empty.chatRequests()).toHaveLength(0);
  });

  it("loom mcp stops when its NATS is not there, and only warns about an LLM tier", async () => {
    const config = path.resolve(import.meta.dirname, "../../configs/mcp/example.yaml");
    const closed = await freePort();
    const noNats = await loom(
      ["mcp", "--config", config, "--nats-url", `nats://127.0.0.1:${closed}`],
      project.dir,
    );
    expect(noNats.code).toBe(1);
    expect(noNats.stdout).toBe("");
    expect(noNats.stderr).toMatch(/✗ NATS: cannot connect to NATS/);
  });

  it("loom doctor checks configs, tiers and NATS, and exits 1 when one fails", async () => {
    const ok = await loom(["doctor", "--configs", project.configsDir, "--nats-url", nats.url], project.dir);
    expect(ok.stdout).toMatch(/✓ LLM tier local: Ollama at .* has fake-model/);
    expect(ok.stdout).toContain("✓ NATS");
    // The project's broken.yaml is a config error.
    expect(ok.stdout).toMatch(/✗ configs: \d+ files .*: 1 errors/);
    expect(ok.code).toBe(1);
    const bad = await loom(
      ["doctor", "--configs", project.configsDir, "--nats-url", `nats://127.0.0.1:${await freePort()}`],
      project.dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("✗ NATS");
  });
});
