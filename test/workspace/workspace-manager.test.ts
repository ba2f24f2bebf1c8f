import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LoomError } from "../../src/errors.js";
import { WorkspaceError, WorkspaceManager } from "../../src/workspace/index.js";
import { startSymlinkSwapper } from "../fixtures/symlink-swapper.js";

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

describe("WorkspaceManager under a concurrently swapped symlink", () => {
  const READS = 1500;

  async function swapping(targetA: string, targetB: string, run: () => Promise<void>): Promise<void> {
    const swapper = await startSymlinkSwapper(path.join(root, "link.txt"), targetA, targetB);
    try {
      await run();
    } finally {
      await swapper.stop();
    }
  }

  it("workspace: reads through a symlink swapped in a loop never return the outside file", async () => {
    await writeFile(path.join(root, "inside.txt"), "inside");
    await writeFile(path.join(outside, "secret.txt"), "SECRET");
    const ws = new WorkspaceManager(root);
    const seen = { inside: 0, refused: 0, leaked: 0 };
    await swapping(path.join(root, "inside.txt"), path.join(outside, "secret.txt"), async () => {
      for (let i = 0; i < READS; i++) {
        const text = await (i % 2
          ? ws.readText("link.txt")
          : Promise.resolve().then(() => ws.readTextSync("link.txt"))
        ).catch((error: unknown) => {
          expect(error).toBeInstanceOf(WorkspaceError);
          return undefined;
        });
        if (text === undefined) seen.refused++;
        else if (text === "inside") seen.inside++;
        else seen.leaked++;
      }
    });
    expect(seen.leaked).toBe(0);
    expect(seen.inside).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it("workspace: writes below a folder symlink swapped in a loop never leave a file outside", async () => {
    await mkdir(path.join(root, "real"));
    const ws = new WorkspaceManager(root);
    let written = 0;
    const swapper = await startSymlinkSwapper(path.join(root, "sub"), path.join(root, "real"), outside);
    try {
      for (let i = 0; i < READS / 3; i++) {
        const write =
          i % 2
            ? ws.writeText(`sub/out-${i}.txt`, "x")
            : Promise.resolve().then(() => ws.writeTextSync(`sub/out-${i}.txt`, "x"));
        await write.then(
          () => written++,
          (error: unknown) => expect(error).toBeInstanceOf(WorkspaceError),
        );
      }
    } finally {
      await swapper.stop();
    }
    expect((await readdir(outside)).filter((name) => name.includes("out-"))).toEqual([]);
    expect(written).toBeGreaterThan(0);
  });
});

describe("WorkspaceManager synchronous API (for processSync)", () => {
  it("workspace: writeJsonSync then readJsonSync round-trips, atomically and inside the workspace", () => {
    const ws = new WorkspaceManager(root);
    ws.writeJsonSync("out/result.json", { status: "done" });
    expect(ws.readJsonSync("out/result.json")).toEqual({ status: "done" });
    ws.writeTextSync("out/result.json", "replaced");
    expect(ws.readTextSync("out/result.json")).toBe("replaced");
    expect(ws.removeSync("out/result.json")).toBe(true);
    expect(ws.removeSync("out/result.json")).toBe(false);
  });

  it("workspace: the sync methods refuse what the async ones refuse", async () => {
    await symlink(path.join(outside, "secret.json"), path.join(root, "leak.json"));
    await symlink(outside, path.join(root, "evil"));
    const ws = new WorkspaceManager(root);
    expect(() => ws.readJsonSync("leak.json")).toThrow(/symlink leads outside/);
    expect(() => ws.writeJsonSync("evil/x.json", {})).toThrow(/symlink leads outside/);
    expect(() => ws.readTextSync("../ws-evil/secret.json")).toThrow(/'\.\.' segments/);
    expect(await readdir(outside)).toEqual(["secret.json"]);
  });

  it("workspace: messages name the ref relative to the workspace, never the server's paths", async () => {
    const ws = new WorkspaceManager(root);
    await symlink(path.join(outside, "secret.json"), path.join(root, "leak.json"));
    for (const attempt of [
      () => ws.readText("missing.txt"),
      () => ws.readJson("leak.json"),
      () => Promise.resolve().then(() => ws.resolve("../x")),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e as WorkspaceError,
      );
      expect(error).toBeInstanceOf(WorkspaceError);
      expect(error?.message).not.toContain(base);
      expect(JSON.stringify(error?.details)).not.toContain(base);
    }
  });

  it("workspace: a file above maxReadBytes is refused with a clear message", async () => {
    await writeFile(path.join(root, "big.txt"), "x".repeat(2000));
    const ws = new WorkspaceManager(root, { maxReadBytes: 1000 });
    await expect(ws.readText("big.txt")).rejects.toThrow(
      /'big.txt' is too large to read: 2000 bytes, the limit is 1000 bytes/,
    );
    expect(() => ws.readTextSync("big.txt")).toThrow(/too large/);
  });
});
