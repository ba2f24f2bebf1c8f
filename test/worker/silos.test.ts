import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import { LoomError } from "../../src/errors.js";
import { applySiloUpdates, extractSiloUpdates, type SiloUpdate } from "../../src/worker/silos.js";
import { workerConfig } from "../fixtures/worker-config.js";

let base: string;
let patterns: string;
let rules: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), "loom-silos-"));
  patterns = path.join(base, "patterns");
  rules = path.join(base, "rules");
  await mkdir(patterns);
  await mkdir(rules);
  await mkdir(path.join(base, "patterns-evil"));
  await writeFile(path.join(patterns, "existing.md"), "old");
  await writeFile(path.join(patterns, "outdated.md"), "stale");
  await writeFile(path.join(rules, "rule.md"), "keep");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function worker(): WorkerConfig {
  return workerConfig({
    name: "pattern_learner",
    systemPrompt: "Learn.",
    knowledgeSilos: [
      { name: "learned_patterns", type: "folder", path: patterns, mode: "readwrite" },
      { name: "domain_rules", type: "folder", path: rules, mode: "read" },
      { name: "catalog", type: "tool", provider: "./t.js#T", config: {} },
    ],
  });
}

async function rejection(updates: SiloUpdate[]): Promise<LoomError> {
  const error = await applySiloUpdates(worker(), updates).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoomError);
  return error as LoomError;
}

const snapshot = async (dir: string) => (await readdir(dir, { recursive: true })).sort();

describe("extractSiloUpdates", () => {
  it("silos: strips silo_updates from the output and returns them (guide Part 8)", () => {
    const { output, updates } = extractSiloUpdates({
      result: "...",
      silo_updates: [
        { silo: "learned_patterns", action: "add", filename: "new_pattern.md", content: "..." },
        { silo: "learned_patterns", action: "modify", filename: "existing.md", content: "..." },
        { silo: "learned_patterns", action: "delete", filename: "outdated.md" },
      ],
    });
    expect(output).toEqual({ result: "..." });
    expect(updates.map((u) => u.action)).toEqual(["add", "modify", "delete"]);
    expect(updates[2]).toEqual({ silo: "learned_patterns", action: "delete", filename: "outdated.md" });
  });

  it("silos: output without silo_updates is returned as it is", () => {
    const output = { result: 1 };
    expect(extractSiloUpdates(output)).toEqual({ output, updates: [] });
  });

  it.each([
    [{ silo_updates: "add a file" }, "must be an array"],
    [
      { silo_updates: [{ silo: "s", action: "rename", filename: "a" }] },
      "silo_updates[0]: 'action' must be one of",
    ],
    [{ silo_updates: [{ silo: "s", action: "add", filename: "a" }] }, "'content' must be a string"],
    [{ silo_updates: [{ action: "delete", filename: "a" }] }, "'silo' must name a silo"],
    [{ silo_updates: [{ silo: "s", action: "delete" }] }, "'filename' must be a file path"],
  ])("silos: malformed silo_updates %j are invalid_output", (output, message) => {
    expect(() => extractSiloUpdates(output)).toThrow(message);
    try {
      extractSiloUpdates(output);
    } catch (error) {
      expect((error as LoomError).code).toBe("invalid_output");
    }
  });
});

describe("applySiloUpdates", () => {
  it("silos: add, modify and delete change the readwrite silo folder", async () => {
    await applySiloUpdates(worker(), [
      { silo: "learned_patterns", action: "add", filename: "new_pattern.md", content: "new" },
      { silo: "learned_patterns", action: "add", filename: "deep/nested.md", content: "nested" },
      { silo: "learned_patterns", action: "modify", filename: "existing.md", content: "changed" },
      { silo: "learned_patterns", action: "delete", filename: "outdated.md" },
    ]);
    expect(await readFile(path.join(patterns, "new_pattern.md"), "utf8")).toBe("new");
    expect(await readFile(path.join(patterns, "deep", "nested.md"), "utf8")).toBe("nested");
    expect(await readFile(path.join(patterns, "existing.md"), "utf8")).toBe("changed");
    expect(await snapshot(patterns)).toEqual(["deep", "deep/nested.md", "existing.md", "new_pattern.md"]);
  });

  it("silos: deleting a file that is already gone does nothing", async () => {
    await applySiloUpdates(worker(), [{ silo: "learned_patterns", action: "delete", filename: "never.md" }]);
    expect(await snapshot(patterns)).toEqual(["existing.md", "outdated.md"]);
  });

  it("silos: an update to a read-only silo is refused and names the mode", async () => {
    const error = await rejection([
      { silo: "domain_rules", action: "modify", filename: "rule.md", content: "x" },
    ]);
    expect(error.code).toBe("invalid_output");
    expect(error.message).toContain("'domain_rules' is read-only");
    expect(await readFile(path.join(rules, "rule.md"), "utf8")).toBe("keep");
  });

  it("silos: an update to an unknown silo is refused and lists the writable ones", async () => {
    const error = await rejection([
      { silo: "learned_patern", action: "add", filename: "a.md", content: "x" },
    ]);
    expect(error.message).toContain("unknown silo 'learned_patern'");
    expect(error.message).toContain("readwrite silos: learned_patterns");
  });

  it("silos: add of an existing file and modify of a missing one are refused, changing nothing", async () => {
    const add = await rejection([
      { silo: "learned_patterns", action: "delete", filename: "outdated.md" },
      { silo: "learned_patterns", action: "add", filename: "existing.md", content: "clobber" },
    ]);
    expect(add.message).toContain("silo_updates[1]");
    expect(add.message).toContain("use action 'modify'");
    const modify = await rejection([
      { silo: "learned_patterns", action: "modify", filename: "ghost.md", content: "x" },
    ]);
    expect(modify.message).toContain("use action 'add'");
    expect(await snapshot(patterns)).toEqual(["existing.md", "outdated.md"]);
    expect(await readFile(path.join(patterns, "existing.md"), "utf8")).toBe("old");
  });

  it.each([
    "../rules/rule.md",
    "../patterns-evil/planted.md",
    "sub/../../planted.md",
    "/tmp/loom-planted.md",
    "/etc/passwd",
    "..\\planted.md",
    "planted.md\0.txt",
  ])("silos: refuses the traversal attempt %j and writes nothing", async (filename) => {
    const before = await snapshot(base);
    const error = await rejection([
      { silo: "learned_patterns", action: "add", filename: "fine.md", content: "x" },
      { silo: "learned_patterns", action: "add", filename, content: "evil" },
    ]);
    expect(error.code).toBe("workspace_error");
    expect(error.message).toContain("silo_updates[1]");
    expect(await snapshot(base)).toEqual(before);
  });

  it("silos: refuses to write or delete through a symlink that leads out of the silo", async () => {
    await symlink(rules, path.join(patterns, "escape"));
    await symlink(path.join(rules, "rule.md"), path.join(patterns, "rule-link.md"));
    const write = await rejection([
      { silo: "learned_patterns", action: "add", filename: "escape/planted.md", content: "evil" },
    ]);
    expect(write.code).toBe("workspace_error");
    const del = await rejection([{ silo: "learned_patterns", action: "delete", filename: "escape/rule.md" }]);
    expect(del.code).toBe("workspace_error");
    const modify = await rejection([
      { silo: "learned_patterns", action: "modify", filename: "rule-link.md", content: "evil" },
    ]);
    expect(modify.code).toBe("workspace_error");
    expect(await snapshot(rules)).toEqual(["rule.md"]);
    expect(await readFile(path.join(rules, "rule.md"), "utf8")).toBe("keep");
  });
});
