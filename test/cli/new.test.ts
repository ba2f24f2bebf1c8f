/**
 * `loom new worker|pipeline` as a user runs it: the built CLI (`node dist/cli/main.js`) in a child
 * process, over a temp configs folder. When dist/ is missing this file builds it.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist/cli/main.js");

let tmp: string;

/** Runs loom in `tmp` with stdin closed (not a terminal), killed after 20 s so a prompt cannot hang. */
function loom(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: tmp, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const WORKER_FLAGS = [
  "--system-prompt",
  'You greet people.\n\nRespond with ONLY {"greeting": "..."}',
  "--input",
  "person:string",
  "--input",
  "lang?:string",
  "--output",
  "greeting:string",
];

beforeAll(async () => {
  if (!existsSync(CLI)) await run("npm", ["run", "build"], { cwd: ROOT });
  tmp = await mkdtemp(path.join(tmpdir(), "loom-new-"));
  await mkdir(path.join(tmp, "configs/workers"), { recursive: true });
  for (const name of ["doc_extractor.yaml", "doc_classifier.yaml"])
    await copyFile(path.join(ROOT, "configs/workers", name), path.join(tmp, "configs/workers", name));
}, 120_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("loom new worker", () => {
  it("--non-interactive writes configs/workers/<name>.yaml that loom validate accepts, and says what to run next", async () => {
    const result = await loom([
      "new",
      "worker",
      "--non-interactive",
      "--name",
      "greeter",
      "--tier",
      "local",
      ...WORKER_FLAGS,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const file = path.join("configs", "workers", "greeter.yaml");
    expect(result.stdout).toContain(`wrote ${file}`);
    expect(result.stdout).toContain(`loom validate ${file}`);
    expect(result.stdout).toContain(
      `loom run worker --config ${file} --input '{"person":"...","lang":"..."}'`,
    );
    const text = await readFile(path.join(tmp, file), "utf8");
    expect(text.split("\n")[0]).toMatch(
      /^# yaml-language-server: \$schema=\S+\/schemas\/worker\.schema\.json$/,
    );
    expect(existsSync(path.resolve(tmp, "configs/workers", text.split("=")[1]?.split("\n")[0] ?? ""))).toBe(
      true,
    );
    const validate = await loom(["validate", file]);
    expect(validate.stdout).toContain(`ok   ${file} (worker)`);
    expect(validate.code).toBe(0);
  });

  it("refuses to overwrite without --force (exit 1, file unchanged); --force overwrites", async () => {
    const file = path.join(tmp, "configs/workers/keep.yaml");
    await writeFile(file, "# mine\n");
    const refused = await loom(["new", "worker", "--non-interactive", "--name", "keep", ...WORKER_FLAGS]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("configs/workers/keep.yaml exists; pass --force to overwrite it");
    expect(await readFile(file, "utf8")).toBe("# mine\n");
    const forced = await loom([
      "new",
      "worker",
      "--non-interactive",
      "--name",
      "keep",
      "--force",
      ...WORKER_FLAGS,
    ]);
    expect(forced.code).toBe(0);
    expect(await readFile(file, "utf8")).toContain('name: "keep"');
  });

  it("a missing --name with --non-interactive is a usage error naming the flag (exit 2)", async () => {
    const result = await loom(["new", "worker", "--non-interactive", ...WORKER_FLAGS]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --name");
  });

  it("with stdin not a terminal and no flags it does not prompt: exit 2, no hang", async () => {
    const result = await loom(["new", "worker"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --name");
  });

  it("a bad name or a taken one is refused (exit 1) and nothing is written", async () => {
    const bad = await loom(["new", "worker", "--non-interactive", "--name", "Greeter", ...WORKER_FLAGS]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("worker name 'Greeter' must be lowercase letters, digits and underscores");
    const taken = await loom([
      "new",
      "worker",
      "--non-interactive",
      "--name",
      "doc_extractor",
      "--out",
      "other.yaml",
      ...WORKER_FLAGS,
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("worker name 'doc_extractor' is taken");
    expect(existsSync(path.join(tmp, "other.yaml"))).toBe(false);
  });
});

describe("loom new pipeline", () => {
  it("--non-interactive --stage --map writes a pipeline loom validate --explain accepts", async () => {
    const result = await loom([
      "new",
      "pipeline",
      "--non-interactive",
      "--name",
      "docs",
      "--timeout",
      "120",
      "--stage",
      "extract=doc_extractor@local",
      "--stage",
      "classify=doc_classifier",
      "--map",
      "classify.text_preview=extract.output.text_preview",
      "--map",
      "classify.page_count=extract.output.page_count",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const file = path.join("configs", "orchestrators", "docs.yaml");
    expect(result.stdout).toContain(`loom validate --explain ${file}`);
    expect(result.stdout).toContain(`loom run pipeline --config ${file}`);
    expect(result.stdout).toContain("--context file_ref=...");
    const text = await readFile(path.join(tmp, file), "utf8");
    expect(text.split("\n")[0]).toMatch(/schemas\/pipeline\.schema\.json$/);
    expect(text).toContain('file_ref: "goal.context.file_ref"');
    const validate = await loom(["validate", "--explain", file]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain("Level 0: extract");
    expect(validate.stdout).toContain("Level 1: classify");
  });

  it("an unknown worker, or a field the producer lacks, is refused (exit 1) and nothing is written", async () => {
    const unknown = await loom(["new", "pipeline", "--non-interactive", "--name", "p2", "--stage", "a=nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown worker 'nope' (workers: doc_classifier, doc_extractor");
    const missing = await loom([
      "new",
      "pipeline",
      "--non-interactive",
      "--name",
      "p3",
      "--stage",
      "extract=doc_extractor",
      "--stage",
      "classify=doc_classifier",
      "--map",
      "classify.text_preview=extract.output.body",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("stage 'extract' (doc_extractor) has no output field 'body'");
    expect(existsSync(path.join(tmp, "configs/orchestrators/p2.yaml"))).toBe(false);
    expect(existsSync(path.join(tmp, "configs/orchestrators/p3.yaml"))).toBe(false);
  });

  it("a missing --stage without a terminal is a usage error naming the flag (exit 2)", async () => {
    const result = await loom(["new", "pipeline", "--name", "p4"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --stage");
  });
});
