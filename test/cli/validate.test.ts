/**
 * `loom validate` as a user runs it: the built CLI (`node dist/cli/main.js`) in a child process.
 * `npm test` builds first; when dist/ is missing this file builds it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist/cli/main.js");

let tmp: string;

async function loom(
  args: string[],
  cwd = ROOT,
  nodeArgs: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeArgs, CLI, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function write(name: string, text: string): Promise<string> {
  const file = path.join(tmp, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  if (!existsSync(CLI)) await run("npm", ["run", "build"], { cwd: ROOT });
  tmp = await mkdtemp(path.join(tmpdir(), "loom-validate-"));
}, 120_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("loom validate", () => {
  it("a clean file exits 0", async () => {
    const result = await loom(["validate", "configs/workers/entity_extractor.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok   configs/workers/entity_extractor.yaml (worker)");
    expect(result.stdout).toContain("1 file checked: 0 errors, 0 warnings");
  });

  it("--all validates every shipped config and passes", async () => {
    const result = await loom(["validate", "--all"]);
    expect(result.code).toBe(0);
    for (const file of [
      "configs/mcp/my_server.yaml",
      "configs/router_rules.yaml",
      "configs/orchestrators/analysis_pipeline.yaml",
    ]) {
      expect(result.stdout).toContain(`ok   ${file}`);
    }
    expect(result.stdout).toMatch(/files checked: 0 errors/);
    expect(result.stdout).not.toContain("classification_examples");
  });

  it("does not load DuckDB to check a gateway that names the built-in DuckDB backend", async () => {
    // Prints the native libraries the process loaded, at exit, to stderr.
    const report =
      "data:text/javascript,process.on('exit',()=>process.stderr.write(JSON.stringify(process.report.getReport().sharedObjects)))";
    const result = await loom(["validate", "configs/mcp/my_server.yaml"], ROOT, ["--import", report]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok   configs/mcp/my_server.yaml (mcp)");
    const libraries = JSON.parse(result.stderr) as string[];
    expect(libraries.length).toBeGreaterThan(0);
    expect(libraries.filter((l) => /duckdb/i.test(l))).toEqual([]);
  });

  it("prints every issue as file:line:col  path  message and exits 1 on errors", async () => {
    const file = await write(
      "bad.yaml",
      'name: "bad"\nsytem_prompt: "x"\ndefault_model_tier: fast\ntimeout_seconds: 0\n',
    );
    const result = await loom(["validate", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAIL ${file} (worker)`);
    expect(result.stdout).toContain(
      `${file}:2:1  sytem_prompt  warning: unknown key 'sytem_prompt' is ignored — did you mean 'system_prompt'?`,
    );
    expect(result.stdout).toContain(
      `${file}:3:21  default_model_tier  must be local, standard or frontier (got 'fast')`,
    );
    expect(result.stdout).toContain(`${file}:4:18  timeout_seconds  must be a positive number (got 0)`);
  });

  it("warnings pass unless --strict", async () => {
    const file = await write(
      "warn.yaml",
      'name: "w"\nsystem_prompt: "x"\ninput_schema: {type: object}\noutput_schema: {type: object}\ndescripton: "typo"\n',
    );
    expect((await loom(["validate", file])).code).toBe(0);
    const strict = await loom(["validate", "--strict", file]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(
      `${file}:5:1  descripton  warning: unknown key 'descripton' is ignored — did you mean 'description'?`,
    );
    const json = await loom(["validate", "--json", file]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, errors: 0, warnings: 1 });
    const strictJson = await loom(["validate", "--json", "--strict", file]);
    expect(strictJson.code).toBe(1);
    expect(JSON.parse(strictJson.stdout)).toMatchObject({ ok: false, errors: 0, warnings: 1 });
  });

  it("--json prints machine-readable results", async () => {
    const file = await write(
      "json/bad.yaml",
      "name: p\npipeline_stages:\n  - name: a\n    worker_type: w\n    depends_on: [a]\n",
    );
    const result = await loom(["validate", "--json", file]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      errors: number;
      files: { kind: string; issues: unknown[] }[];
    };
    expect(report.ok).toBe(false);
    expect(report.errors).toBe(1);
    expect(report.files[0]?.kind).toBe("pipeline");
    expect(report.files[0]?.issues).toEqual([
      {
        file,
        line: 5,
        column: 18,
        path: "pipeline_stages[0].depends_on[0]",
        message: "stage 'a' depends on itself",
        severity: "error",
      },
    ]);
  });

  it("--explain prints the inferred pipeline levels", async () => {
    const result = await loom(["validate", "--explain", "configs/orchestrators/analysis_pipeline.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  Level 0: extract\n  Level 1: classify + summarize\n");
  });

  it("a folder validates every config in it; --workers checks worker types", async () => {
    await write("dir/p.yaml", "name: p\npipeline_stages:\n  - name: a\n    worker_type: sumarizer\n");
    const plain = await loom(["validate", path.join(tmp, "dir")]);
    expect(plain.code).toBe(0);
    const checked = await loom(["validate", "--workers", "configs/workers", path.join(tmp, "dir")]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(
      /pipeline_stages\[0\]\.worker_type {2}no worker config named 'sumarizer' .* did you mean 'summarizer'\?/,
    );
  });

  it("--kind overrides detection", async () => {
    const file = await write("kind.yaml", "name: x\n");
    const detected = await loom(["validate", file]);
    expect(detected.stdout).toMatch(/cannot tell what kind of config this is/);
    const forced = await loom(["validate", "--kind", "pipeline", file]);
    expect(forced.stdout).toContain("required field 'pipeline_stages' is missing");
    expect(forced.code).toBe(1);
  });

  it("a missing target or no target exits 2 with a message on stderr", async () => {
    const missing = await loom(["validate", "no/such/file.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or folder: no/such/file.yaml");
    expect((await loom(["validate"])).code).toBe(2);
  });
});
