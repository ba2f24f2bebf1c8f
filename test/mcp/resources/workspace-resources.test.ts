import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WorkspaceEvent, WorkspaceResources } from "../../../src/mcp/resources/workspace-resources.js";
import { WorkspaceError } from "../../../src/workspace/workspace-error.js";

let root: string;
let resources: WorkspaceResources | undefined;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "loom-watch-"));
  await writeFile(path.join(root, "a.json"), "{}");
});

afterEach(async () => {
  await resources?.close();
  resources = undefined;
  await rm(root, { recursive: true, force: true });
});

/** Collects events; `next(n)` resolves once `n` events have arrived since the last call. */
function collect(source: WorkspaceResources): {
  events: WorkspaceEvent[];
  until: (n: number) => Promise<void>;
} {
  const events: WorkspaceEvent[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  source.onEvent((event) => {
    events.push(event);
    if (waiter && events.length >= waiter.n) waiter.resolve();
  });
  return {
    events,
    until: (n) =>
      events.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiter = { n, resolve };
          }),
  };
}

describe("watched workspace resources", () => {
  it("announces an added file once, as list_changed plus updated, after a burst", async () => {
    resources = await WorkspaceResources.open({ workspaceDir: root, patterns: ["*.json"], debounceMs: 50 });
    const seen = collect(resources);
    await writeFile(path.join(root, "b.json"), "{");
    await writeFile(path.join(root, "b.json"), "{}");
    await writeFile(path.join(root, "ignored.txt"), "not exposed");
    await seen.until(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.events).toEqual([{ type: "list_changed" }, { type: "updated", uri: "workspace:///b.json" }]);
    expect((await resources.list()).map((r) => r.uri)).toEqual([
      "workspace:///a.json",
      "workspace:///b.json",
    ]);
  });

  it("announces a changed file as updated only, and a removed one as list_changed", async () => {
    resources = await WorkspaceResources.open({ workspaceDir: root, debounceMs: 30 });
    const seen = collect(resources);
    await writeFile(path.join(root, "a.json"), '{"changed":true}');
    await seen.until(1);
    expect(seen.events).toEqual([{ type: "updated", uri: "workspace:///a.json" }]);
    await unlink(path.join(root, "a.json"));
    await seen.until(3);
    expect(seen.events.slice(1)).toEqual([
      { type: "list_changed" },
      { type: "updated", uri: "workspace:///a.json" },
    ]);
  });

  it("checkForChanges reports what a tool call created or modified, and the watcher does not repeat it", async () => {
    resources = await WorkspaceResources.open({ workspaceDir: root, debounceMs: 30 });
    const seen = collect(resources);
    await mkdir(path.join(root, "out"));
    await writeFile(path.join(root, "out/result.json"), "{}");
    await writeFile(path.join(root, "a.json"), '{"v":2}');
    const changes = await resources.checkForChanges();
    expect(changes).toEqual({ created: ["out/result.json"], modified: ["a.json"], removed: [] });
    expect(seen.events).toEqual([
      { type: "list_changed" },
      { type: "updated", uri: "workspace:///out/result.json" },
      { type: "updated", uri: "workspace:///a.json" },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.events).toHaveLength(3);
    expect(await resources.checkForChanges()).toEqual({ created: [], modified: [], removed: [] });
  });

  it("refuses a missing workspace folder in one line naming the path and the fix", async () => {
    const missing = path.join(root, "no-such-ws");
    const error = await WorkspaceResources.open({ workspaceDir: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    const message = (error as Error).message;
    expect(message).toContain(missing);
    expect(message).toContain("does not exist");
    expect(message).toContain("resources.create: true");
    expect(message).not.toContain("\n");
  });

  it("with create, makes a missing workspace folder, says so, and stops announcing after close", async () => {
    const fresh = path.join(root, "new-ws");
    const created: string[] = [];
    resources = await WorkspaceResources.open({
      workspaceDir: fresh,
      debounceMs: 20,
      create: true,
      onCreated: (dir) => created.push(dir),
    });
    expect(created).toEqual([fresh]);
    expect(await resources.list()).toEqual([]);
    const seen = collect(resources);
    await resources.close();
    await writeFile(path.join(fresh, "late.json"), "{}");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.events).toEqual([]);
  });

  it.each(["/", "/etc", "/usr", "/var", "/proc", os.homedir()])(
    "refuses the system folder %s unless allowSystemDir is set",
    async (dir) => {
      const error = await WorkspaceResources.open({ workspaceDir: dir, watch: false }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkspaceError);
      expect((error as Error).message).toContain("resources.allow_system_dir: true");
    },
  );

  it("serves a system folder when allowSystemDir is set (without watching it)", async () => {
    resources = await WorkspaceResources.open({
      workspaceDir: "/etc",
      allowSystemDir: true,
      watch: false,
      patterns: ["hostname"],
    });
    expect(resources.catalog.root).toBe("/etc");
  });

  it("refuses a symlink that resolves to / like / itself", async () => {
    await symlink("/", path.join(root, "slash"));
    const error = await WorkspaceResources.open({ workspaceDir: path.join(root, "slash") }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain("file system root");
  });

  it("refuses to watch more than maxWatchedFiles folders and files, naming the option", async () => {
    for (let i = 0; i < 12; i++) await writeFile(path.join(root, `f${i}.json`), "{}");
    const error = await WorkspaceResources.open({ workspaceDir: root, maxWatchedFiles: 10 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toContain("more than 10");
    expect((error as Error).message).toContain("resources.max_watched_files");
    resources = await WorkspaceResources.open({ workspaceDir: root, maxWatchedFiles: 10, watch: false });
    expect(await resources.list()).toHaveLength(13);
  });

  it("stops watching with an error when the workspace grows past maxWatchedFiles", async () => {
    const errors: Error[] = [];
    resources = await WorkspaceResources.open({
      workspaceDir: root,
      maxWatchedFiles: 5,
      debounceMs: 20,
      onError: (error) => errors.push(error),
    });
    const stopped = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (errors.length > 0) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    for (let i = 0; i < 8; i++) await writeFile(path.join(root, `g${i}.json`), "{}");
    await stopped;
    expect(errors[0]?.message).toContain("stopped watching");
    expect(errors[0]?.message).toContain("resources.max_watched_files");
    // Changes are still found after tool calls.
    expect((await resources.checkForChanges()).created.length).toBeGreaterThan(0);
  });
});
