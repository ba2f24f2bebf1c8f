import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LoomError } from "../../src/errors.js";
import { WorkspaceError, WorkspaceManager } from "../../src/workspace/index.js";

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), "loom-ws-"));
  root = path.join(base, "ws");
  outside = path.join(base, "ws-evil");
  await mkdir(root);
  await mkdir(outside);
  await writeFile(path.join(outside, "secret.json"), '{"secret":true}');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function refusal(ws: WorkspaceManager, ref: string): WorkspaceError {
  try {
    ws.resolve(ref);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkspaceError);
    return error as WorkspaceError;
  }
  throw new Error(`resolve(${JSON.stringify(ref)}) was not refused`);
}

describe("WorkspaceManager.resolve", () => {
  it("workspace: a plain relative ref resolves inside the workspace", () => {
    const ws = new WorkspaceManager(root);
    expect(ws.resolve("report_extracted.json")).toBe(path.join(root, "report_extracted.json"));
    expect(ws.resolve("sub/dir/file.json")).toBe(path.join(root, "sub", "dir", "file.json"));
    expect(ws.resolve("./a.json")).toBe(path.join(root, "a.json"));
    expect(ws.resolve("..notes.json")).toBe(path.join(root, "..notes.json"));
    expect(ws.resolve("sub/...json")).toBe(path.join(root, "sub", "...json"));
  });

  it.each([
    ["../../etc/passwd", "'..'"],
    ["..", "'..'"],
    ["sub/../../ws-evil/secret.json", "'..'"],
    ["../ws-evil/secret.json", "'..'"],
    ["/etc/passwd", "absolute"],
    ["C:/Windows/system.ini", "absolute"],
    ["sub\\..\\..\\secret.json", "backslash"],
    ["a\\b.json", "backslash"],
    ["file.json\0.txt", "NUL"],
    ["", "empty"],
  ])("workspace: refuses %j and says why", (ref, why) => {
    const error = refusal(new WorkspaceManager(root), ref);
    expect(error.code).toBe("workspace_error");
    expect(error).toBeInstanceOf(LoomError);
    expect(error.message).toContain(why);
    expect(error.message).toContain(JSON.stringify(ref));
    expect(error.details.ref).toBe(ref);
  });

  it("workspace: refuses the absolute path of a sibling folder that shares the root's prefix", () => {
    const error = refusal(new WorkspaceManager(root), path.join(outside, "secret.json"));
    expect(error.message).toContain("absolute");
  });

  it("workspace: refuses a symlinked file that points outside", async () => {
    await symlink(path.join(outside, "secret.json"), path.join(root, "link.json"));
    const ws = new WorkspaceManager(root);
    expect(refusal(ws, "link.json").message).toContain("symlink");
    await expect(ws.readJson("link.json")).rejects.toBeInstanceOf(WorkspaceError);
  });

  it("workspace: refuses a new file below a symlinked folder that points outside", async () => {
    await symlink(outside, path.join(root, "escape"));
    const ws = new WorkspaceManager(root);
    expect(refusal(ws, "escape/new/deeper.json").message).toContain("symlink");
    await expect(ws.writeJson("escape/planted.json", { x: 1 })).rejects.toBeInstanceOf(WorkspaceError);
    expect(await readdir(outside)).toEqual(["secret.json"]);
  });

  it("workspace: refuses a dangling symlink (writing through it would create a file outside)", async () => {
    await symlink(path.join(outside, "not-yet.json"), path.join(root, "dangling.json"));
    const ws = new WorkspaceManager(root);
    expect(refusal(ws, "dangling.json").message).toContain("dangling symlink");
    await expect(ws.writeText("dangling.json", "x")).rejects.toBeInstanceOf(WorkspaceError);
    expect(await readdir(outside)).toEqual(["secret.json"]);
  });

  it("workspace: accepts a symlink that stays inside the workspace", async () => {
    await mkdir(path.join(root, "real"));
    await writeFile(path.join(root, "real", "doc.json"), '{"ok":1}');
    await symlink(path.join(root, "real"), path.join(root, "alias"));
    const ws = new WorkspaceManager(root);
    expect(await ws.readJson("alias/doc.json")).toEqual({ ok: 1 });
  });

  it("workspace: works when the root itself is reached through a symlink", async () => {
    const linkedRoot = path.join(base, "linked-root");
    await symlink(root, linkedRoot);
    const ws = new WorkspaceManager(linkedRoot);
    await ws.writeJson("a.json", [1, 2]);
    expect(JSON.parse(await readFile(path.join(root, "a.json"), "utf8"))).toEqual([1, 2]);
  });
});

describe("WorkspaceManager read and write", () => {
  it("workspace: writeJson then readJson round-trips and creates parent folders", async () => {
    const ws = new WorkspaceManager(root);
    await ws.writeJson("out/result.json", { status: "done", n: 3 });
    expect(await ws.readJson("out/result.json")).toEqual({ status: "done", n: 3 });
    await ws.writeText("out/notes.txt", "hello");
    expect(await ws.readText("out/notes.txt")).toBe("hello");
  });

  it("workspace: an atomic write leaves no temporary file and replaces the old content whole", async () => {
    const ws = new WorkspaceManager(root);
    await ws.writeText("doc.txt", "old content that is longer");
    await ws.writeText("doc.txt", "new");
    expect(await readFile(path.join(root, "doc.txt"), "utf8")).toBe("new");
    expect(await readdir(root)).toEqual(["doc.txt"]);
  });

  it("workspace: a missing file is a workspace_error naming the ref", async () => {
    const error = await new WorkspaceManager(root).readJson("missing.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).message).toContain("'missing.json'");
    expect((error as WorkspaceError).message).toContain("not found");
  });

  it("workspace: an unparsable JSON file is a workspace_error saying so", async () => {
    await writeFile(path.join(root, "bad.json"), "{not json");
    const error = await new WorkspaceManager(root).readJson("bad.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).message).toContain("not valid JSON");
  });

  it("workspace: remove deletes a file and reports whether it existed", async () => {
    const ws = new WorkspaceManager(root);
    await ws.writeText("gone.txt", "x");
    expect(await ws.remove("gone.txt")).toBe(true);
    expect(await ws.remove("gone.txt")).toBe(false);
    expect(ws.exists("gone.txt")).toBe(false);
  });
});
