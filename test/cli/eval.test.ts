/**
 * `loom eval` as a user runs it: the built CLI (`node dist/cli/main.js`) in a child process, in a
 * temp project whose loom.yaml points every tier at the fake LLM server.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeReply, RecordedRequest } from "../fixtures/fake-llm-server.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { findAll, parseXml } from "../workshop/eval/xml-check.js";

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist/cli/main.js");

const NONE = { people: [], places: [], organizations: [], count: 0 };
const UN = {
  people: ["Franklin Roosevelt"],
  places: ["San Francisco"],
  organizations: ["United Nations"],
  count: 3,
};
const SUITE = `worker: entity_extractor
scoring: { method: exact }
cases:
  - name: un_founding
    input: { text: "UN text" }
    expected: ${JSON.stringify(UN)}
  - name: no_entities
    input: { text: "nothing" }
    expected: ${JSON.stringify(NONE)}
  - name: two_people
    input: { text: "Ann met Bo." }
    expected: ${JSON.stringify({ ...NONE, people: ["Ann", "Bo"], count: 2 })}
`;

let llm: FakeLlm;
let tmp: string;
let project: string;

/** The model's answers by input text; `wrong` names the inputs it gets wrong. */
function model(wrong: string[] = []): (request: RecordedRequest) => FakeReply {
  return (request) => {
    const text = (JSON.parse(request.userText ?? "{}") as { text?: string }).text ?? "";
    const right: Record<string, unknown> =
      text === "UN text" ? UN : text === "Ann met Bo." ? { ...NONE, people: ["Ann", "Bo"], count: 2 } : NONE;
    const reply = wrong.includes(text) ? { ...right, count: 99 } : right;
    return { text: JSON.stringify(reply), usage: { input: 10, output: 5 } };
  };
}

async function loom(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      cwd: project,
      env: { PATH: process.env.PATH ?? "", HOME: project },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  await exec("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT });
  llm = await startFakeLlm();
  tmp = await mkdtemp(path.join(tmpdir(), "loom-eval-cli-"));
}, 180_000);

afterAll(async () => {
  await llm.close();
  await rm(tmp, { recursive: true, force: true });
});

let projects = 0;
beforeEach(async () => {
  llm.reset();
  project = path.join(tmp, `project_${projects++}`);
  await mkdir(path.join(project, "configs/workers"), { recursive: true });
  await mkdir(path.join(project, "configs/evals"), { recursive: true });
  await copyFile(
    path.join(ROOT, "configs/workers/entity_extractor.yaml"),
    path.join(project, "configs/workers/entity_extractor.yaml"),
  );
  await writeFile(path.join(project, "configs/evals/entity_extractor.yaml"), SUITE);
  await writeFile(
    path.join(project, "loom.yaml"),
    `tiers:\n  local: { backend: ollama, model: fake-model, base_url: "${llm.url}" }\nretry: { max_attempts: 2, base_delay_ms: 1 }\n`,
  );
});

describe("loom eval", () => {
  it("runs the suite, prints a line per case when piped and a summary, and saves the run", async () => {
    llm.setResponder(model(["Ann met Bo."]));
    const result = await loom(["eval", "entity_extractor"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^case un_founding: pass 1\.00 \(\d+ ms\)$/m);
    expect(result.stderr).toMatch(/^case two_people: fail 0\.00 \(\d+ ms\)$/m);
    expect(result.stderr).not.toContain("\r");
    expect(result.stdout).toMatch(/^cases +3$/m);
    expect(result.stdout).toMatch(/^passed +2 \(failed 1, errors 0\)$/m);
    expect(result.stdout).toMatch(/^pass rate +66\.7%$/m);
    expect(result.stdout).toMatch(/^latency +p50 \d+ ms, p95 \d+ ms$/m);
    expect(result.stdout).toMatch(/^tokens +30 in, 15 out$/m);
    const runs = await readdir(path.join(project, ".loom/evals/entity_extractor/runs"));
    expect(runs).toHaveLength(1);
    const saved = JSON.parse(
      await readFile(path.join(project, ".loom/evals/entity_extractor/runs", runs[0] ?? ""), "utf8"),
    );
    expect(saved.summary.passed).toBe(2);
    expect(saved.config_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("--min-pass-rate fails the run below the rate, only when given", async () => {
    llm.setResponder(model(["Ann met Bo."]));
    const low = await loom(["eval", "entity_extractor", "--min-pass-rate", "0.9"]);
    expect(low.code).toBe(1);
    expect(low.stderr).toContain("pass rate 0.667 is below --min-pass-rate 0.9");
    expect((await loom(["eval", "entity_extractor", "--min-pass-rate", "0.5"])).code).toBe(0);
  });

  it("baseline flow: --baseline promotes, then --gate fails on a newly failing case and names it", async () => {
    llm.setResponder(model());
    const first = await loom(["eval", "entity_extractor", "--baseline"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/is now the golden baseline/);
    const baseline = JSON.parse(
      await readFile(path.join(project, ".loom/evals/entity_extractor/baseline.json"), "utf8"),
    ) as { run_id: string };
    expect(first.stdout).toContain(baseline.run_id);

    llm.setResponder(model(["nothing"]));
    const ungated = await loom(["eval", "entity_extractor"]);
    expect(ungated.code).toBe(0);
    expect(ungated.stdout).toContain("newly failing: no_entities");

    const gated = await loom(["eval", "entity_extractor", "--gate", "--junit", "out/eval.xml"]);
    expect(gated.code).toBe(1);
    expect(gated.stdout).toContain("vs baseline: 1 newly failing, 0 fixed, 0 new");
    expect(gated.stdout).toContain("newly failing: no_entities");
    expect(gated.stderr).toContain("1 case(s) newly failing vs the baseline: no_entities");
    const xml = parseXml(await readFile(path.join(project, "out/eval.xml"), "utf8"));
    expect(xml.attributes).toMatchObject({ tests: "3", failures: "1", errors: "0" });
    const failing = findAll(xml, "testcase").find((c) => c.attributes.name === "no_entities");
    expect(failing?.children[0]?.attributes.message).toContain("newly failing vs the baseline");

    llm.setResponder(model());
    expect((await loom(["eval", "entity_extractor", "--gate"])).code).toBe(0);
  });

  it("an LLM error is a case error in the report, not a crash", async () => {
    llm.setResponder((request) =>
      request.userText?.includes("nothing") ? { status: 500, message: "down" } : model()(request),
    );
    const result = await loom(["eval", "entity_extractor", "--junit", "eval.xml", "--concurrency", "1"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^case no_entities: error llm_error: .*500/m);
    const xml = parseXml(await readFile(path.join(project, "eval.xml"), "utf8"));
    expect(xml.attributes).toMatchObject({ tests: "3", failures: "0", errors: "1" });
  });

  it("a bad suite is exit 2 with one clear line naming the file and line", async () => {
    await writeFile(
      path.join(project, "configs/evals/entity_extractor.yaml"),
      SUITE.replace("scoring:", "scorin:"),
    );
    const result = await loom(["eval", "entity_extractor"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("configs/evals/entity_extractor.yaml:2:1: scorin: unknown key 'scorin'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(llm.chatRequests()).toHaveLength(0);
  });

  it("an unknown worker is exit 2 listing the known ones; a path to a worker file works", async () => {
    const unknown = await loom(["eval", "entity_extractr"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown worker 'entity_extractr'");
    expect(unknown.stderr).toContain("(workers: entity_extractor)");
    expect(unknown.stderr).toContain("did you mean 'entity_extractor'?");
    llm.setResponder(model());
    const byPath = await loom(["eval", "configs/workers/entity_extractor.yaml", "--min-pass-rate", "1"]);
    expect(byPath.code).toBe(0);
  });

  it("usage errors are exit 2; --help documents the exit codes", async () => {
    const badTier = await loom(["eval", "entity_extractor", "--tier", "huge"]);
    expect(badTier.code).toBe(2);
    expect(badTier.stderr).toContain("'huge' is not a tier");
    expect((await loom(["eval", "entity_extractor", "--min-pass-rate", "90%"])).code).toBe(2);
    expect((await loom(["eval"])).code).toBe(2);
    const help = await loom(["eval", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes:");
    expect(help.stdout).toMatch(/2 +usage or config error/);
  });
});
