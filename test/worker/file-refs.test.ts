import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import { LoomError } from "../../src/errors.js";
import { resolveFileRefs } from "../../src/worker/file-refs.js";
import { startSymlinkSwapper } from "../fixtures/symlink-swapper.js";
import { workerConfig } from "../fixtures/worker-config.js";

let base: string;
let workspace: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), "loom-refs-"));
  workspace = path.join(base, "ws");
  await mkdir(workspace);
  await mkdir(path.join(base, "ws-evil"));
  await writeFile(path.join(base, "ws-evil", "secret.json"), '{"secret":"leaked"}');
  await writeFile(path.join(base, "outside.json"), '{"secret":"leaked"}');
  await writeFile(
    path.join(workspace, "report_extracted.json"),
    JSON.stringify({ title: "Q3 report", pages: 12 }),
  );
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function worker(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return workerConfig({
    name: "summarizer",
    systemPrompt: "Summarize.",
    workspaceDir: workspace,
    resolveFileRefs: ["file_ref"],
    ...overrides,
  });
}

async function failure(config: WorkerConfig, payload: Record<string, unknown>): Promise<LoomError> {
  const error = await resolveFileRefs(config, payload).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoomError);
  return error as LoomError;
}

describe("resolveFileRefs", () => {
  it("file refs: adds <field>_content with the parsed JSON and keeps the ref (guide Part 6)", async () => {
    const payload = { file_ref: "report_extracted.json", question: "what?" };
    const result = await resolveFileRefs(worker(), payload);
    expect(result).toEqual({
      file_ref: "report_extracted.json",
      question: "what?",
      file_ref_content: { title: "Q3 report", pages: 12 },
    });
    expect(payload).not.toHaveProperty("file_ref_content");
  });

  it("file refs: resolves several fields and skips fields absent from the payload", async () => {
    await writeFile(path.join(workspace, "b.json"), "[1,2,3]");
    const config = worker({ resolveFileRefs: ["file_ref", "other_ref", "absent_ref"] });
    const result = await resolveFileRefs(config, { file_ref: "report_extracted.json", other_ref: "b.json" });
    expect(result.other_ref_content).toEqual([1, 2, 3]);
    expect(result).not.toHaveProperty("absent_ref_content");
  });

  it("file refs: a relative workspace_dir is taken from the config file's folder", async () => {
    const config = worker({ workspaceDir: "ws", sourcePath: path.join(base, "worker.yaml") });
    const result = await resolveFileRefs(config, { file_ref: "report_extracted.json" });
    expect(result.file_ref_content).toEqual({ title: "Q3 report", pages: 12 });
  });

  it("file refs: a missing file fails with invalid_input naming the field and the file", async () => {
    const error = await failure(worker(), { file_ref: "nope.json" });
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("payload.file_ref");
    expect(error.message).toContain("nope.json");
    expect(error.details).toMatchObject({ field: "file_ref", file: "nope.json" });
  });

  it("file refs: an unparsable file fails with invalid_input naming the field and the file", async () => {
    await writeFile(path.join(workspace, "broken.json"), "{ not: json");
    const error = await failure(worker(), { file_ref: "broken.json" });
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("broken.json");
    expect(error.message).toContain("not valid JSON");
  });

  it("file refs: a non-string ref fails with invalid_input", async () => {
    const error = await failure(worker(), { file_ref: 42 });
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("payload.file_ref");
  });

  it.each([
    "../outside.json",
    "../ws-evil/secret.json",
    "sub/../../outside.json",
    "/etc/passwd",
    "..\\outside.json",
    "report_extracted.json\0",
  ])("file refs: refuses the traversal attempt %j", async (ref) => {
    const error = await failure(worker(), { file_ref: ref });
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("refused");
  });

  it("file refs: refuses a symlink in the workspace that points outside", async () => {
    await symlink(path.join(base, "outside.json"), path.join(workspace, "innocent.json"));
    const error = await failure(worker(), { file_ref: "innocent.json" });
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("symlink");
  });

  it("file refs: resolve_file_refs without workspace_dir is a config_error", async () => {
    const { workspaceDir: _unused, ...rest } = worker();
    const error = await failure(rest, { file_ref: "report_extracted.json" });
    expect(error.code).toBe("config_error");
    expect(error.message).toContain("workspace_dir");
  });

  it("file refs: a worker that cannot see its workspace (another machine on the mesh) names the folder and host", async () => {
    const missing = path.join(base, "not-mounted-here");
    const error = await failure(worker({ workspaceDir: missing }), { file_ref: "report_extracted.json" });
    expect(error.code).toBe("workspace_error");
    expect(error.message).toContain(missing);
    expect(error.message).toContain("resolved where the worker runs");
  });

  it("file refs: a worker without resolve_file_refs gets its payload back unchanged", async () => {
    const payload = { file_ref: "../outside.json" };
    expect(await resolveFileRefs(worker({ resolveFileRefs: [] }), payload)).toBe(payload);
  });

  it("file refs: errors name the ref relative to the workspace, never the server's absolute paths", async () => {
    await symlink(path.join(base, "outside.json"), path.join(workspace, "innocent.json"));
    for (const payload of [{ file_ref: 42 }, { file_ref: "missing.json" }, { file_ref: "innocent.json" }]) {
      const error = await failure(worker(), payload);
      expect(error.message).not.toContain(base);
      expect(JSON.stringify(error.details)).not.toContain(base);
    }
  });

  it("file refs: a symlink swapped in a loop during resolution never yields the outside file", async () => {
    await writeFile(path.join(workspace, "inside.json"), '{"inside":true}');
    const seen = { inside: 0, refused: 0, leaked: 0 };
    const swapper = await startSymlinkSwapper(
      path.join(workspace, "link.txt"),
      path.join(workspace, "inside.json"),
      path.join(base, "outside.json"),
    );
    try {
      for (let i = 0; i < 1500; i++) {
        const result = await resolveFileRefs(worker(), { file_ref: "link.txt" }).catch(() => undefined);
        if (result === undefined) seen.refused++;
        else if (JSON.stringify(result.file_ref_content) === '{"inside":true}') seen.inside++;
        else seen.leaked++;
      }
    } finally {
      await swapper.stop();
    }
    expect(seen.leaked).toBe(0);
    expect(seen.inside).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
