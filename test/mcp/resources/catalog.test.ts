import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ProtocolError, ResourceNotFoundError } from "@modelcontextprotocol/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toResource, WorkspaceCatalog } from "../../../src/mcp/resources/catalog.js";
import { ReadLimiter } from "../../../src/mcp/resources/read-limiter.js";
import { parseWorkspaceUri, toWorkspaceUri } from "../../../src/mcp/resources/workspace-uri.js";
import { startSymlinkSwapper } from "../../fixtures/symlink-swapper.js";

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "loom-catalog-"));
  root = path.join(base, "ws");
  await mkdir(path.join(root, "reports/2024"), { recursive: true });
  await mkdir(path.join(root, ".git"), { recursive: true });
  await writeFile(path.join(root, "notes.md"), "# Notes\n");
  await writeFile(path.join(root, "data.json"), '{"a":1}');
  await writeFile(path.join(root, "reports/q1.pdf"), Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]));
  await writeFile(path.join(root, "reports/2024/q2 final.json"), "{}");
  await writeFile(path.join(root, ".env"), "SECRET=1");
  await writeFile(path.join(root, ".git/config"), "x");
  await writeFile(path.join(base, "outside.txt"), "top secret");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("workspace catalog", () => {
  it("lists every file recursively with URI, MIME type and size, hiding dotfiles", async () => {
    const files = await new WorkspaceCatalog({ workspaceDir: root }).scan();
    expect(files.map((f) => f.path)).toEqual([
      "data.json",
      "notes.md",
      "reports/2024/q2 final.json",
      "reports/q1.pdf",
    ]);
    const pdf = files.find((f) => f.path === "reports/q1.pdf");
    expect(pdf).toMatchObject({ uri: "workspace:///reports/q1.pdf", mimeType: "application/pdf", size: 6 });
    expect(toResource(files[2]!)).toEqual({
      uri: "workspace:///reports/2024/q2%20final.json",
      name: "reports/2024/q2 final.json",
      title: "q2 final.json",
      mimeType: "application/json",
      size: 2,
    });
  });

  it("filters by patterns: a bare pattern matches at any depth, a path pattern only there", async () => {
    const json = await new WorkspaceCatalog({ workspaceDir: root, patterns: ["*.json"] }).scan();
    expect(json.map((f) => f.path)).toEqual(["data.json", "reports/2024/q2 final.json"]);
    const deep = await new WorkspaceCatalog({
      workspaceDir: root,
      patterns: ["reports/**/*.json", "*.md"],
    }).scan();
    expect(deep.map((f) => f.path)).toEqual(["notes.md", "reports/2024/q2 final.json"]);
    const top = await new WorkspaceCatalog({ workspaceDir: root, patterns: ["reports/*"] }).scan();
    expect(top.map((f) => f.path)).toEqual(["reports/q1.pdf"]);
  });

  it("reads text as text and binary as a base64 blob", async () => {
    const catalog = new WorkspaceCatalog({ workspaceDir: root });
    const text = await catalog.read("workspace:///notes.md");
    expect(text.contents).toEqual([
      { uri: "workspace:///notes.md", mimeType: "text/markdown", text: "# Notes\n" },
    ]);
    const blob = await catalog.read("workspace:///reports/q1.pdf");
    const content = blob.contents[0] as { blob: string; mimeType: string };
    expect(content.mimeType).toBe("application/pdf");
    expect(Buffer.from(content.blob, "base64")).toEqual(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]));
    const spaced = await catalog.read(toWorkspaceUri("reports/2024/q2 final.json"));
    expect(spaced.contents[0]).toMatchObject({ text: "{}" });
  });

  it("answers a missing or unexposed file with the resource-not-found error", async () => {
    const catalog = new WorkspaceCatalog({ workspaceDir: root, patterns: ["*.md"] });
    await expect(catalog.read("workspace:///missing.md")).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(catalog.read("workspace:///data.json")).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(catalog.read("workspace:///.env")).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(catalog.read("workspace:///reports")).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it.each([
    ["dot-dot", "workspace:///../outside.txt"],
    ["nested dot-dot", "workspace:///reports/../../outside.txt"],
    ["encoded dot-dot", "workspace:///%2e%2e/outside.txt"],
    ["upper-case encoded dot-dot", "workspace:///%2E%2E%2Foutside.txt"],
    ["absolute path", "workspace:////etc/passwd"],
    ["encoded absolute path", "workspace:///%2Fetc%2Fpasswd"],
    ["backslash", "workspace:///..%5Coutside.txt"],
    ["authority", "workspace://host/outside.txt"],
    ["other scheme", "file:///etc/passwd"],
    ["NUL byte", "workspace:///notes.md%00.txt"],
  ])("refuses a URI that leaves the workspace (%s)", async (_label, uri) => {
    const catalog = new WorkspaceCatalog({ workspaceDir: root });
    const error = await catalog.read(uri).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).not.toBeInstanceOf(ResourceNotFoundError);
    expect((error as Error).message).not.toContain("top secret");
  });

  it("refuses a symlink that leads outside and does not list it", async () => {
    await symlink(path.join(base, "outside.txt"), path.join(root, "link.txt"));
    await symlink(path.join(root, "notes.md"), path.join(root, "inside-link.md"));
    const catalog = new WorkspaceCatalog({ workspaceDir: root });
    const error = await catalog.read("workspace:///link.txt").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain("symlink");
    const paths = (await catalog.scan()).map((f) => f.path);
    expect(paths).not.toContain("link.txt");
    expect(paths).toContain("inside-link.md");
  });

  it("parses and builds URIs symmetrically", () => {
    const uri = toWorkspaceUri("a b/c#d?.txt");
    expect(uri).toBe("workspace:///a%20b/c%23d%3F.txt");
    expect(parseWorkspaceUri(uri)).toBe("a b/c#d?.txt");
  });

  it("resources/read through a symlink swapped in a loop never returns the outside file", async () => {
    const catalog = new WorkspaceCatalog({ workspaceDir: root });
    const seen = { inside: 0, refused: 0, leaked: 0 };
    const swapper = await startSymlinkSwapper(
      path.join(root, "link.txt"),
      path.join(root, "notes.md"),
      path.join(base, "outside.txt"),
    );
    try {
      for (let i = 0; i < 1500; i++) {
        const result = await catalog.read("workspace:///link.txt").catch(() => undefined);
        const content = result?.contents[0];
        if (!content) seen.refused++;
        else if ("text" in content && content.text === "# Notes\n") seen.inside++;
        else seen.leaked++;
      }
    } finally {
      await swapper.stop();
    }
    expect(seen.leaked).toBe(0);
    expect(seen.inside).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it("refuses a file above maxReadBytes with a message naming the limit and the relative path only", async () => {
    await writeFile(path.join(root, "big.json"), "x".repeat(5000));
    const catalog = new WorkspaceCatalog({ workspaceDir: root, maxReadBytes: 4096 });
    const error = await catalog.read("workspace:///big.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toContain(
      "'big.json' is too large to read: 5000 bytes, the limit is 4096 bytes",
    );
    expect((error as Error).message).not.toContain(base);
  });

  it("a refused symlink's message names the ref, not the server's absolute paths", async () => {
    await symlink(path.join(base, "outside.txt"), path.join(root, "link.txt"));
    const catalog = new WorkspaceCatalog({ workspaceDir: root });
    const error = await catalog.read("workspace:///link.txt").catch((e: unknown) => e);
    expect((error as Error).message).toContain('"link.txt"');
    expect((error as Error).message).not.toContain(base);
  });

  it("serves at most maxConcurrentReads reads at once; the others wait and then complete", async () => {
    await writeFile(path.join(root, "mid.json"), JSON.stringify({ pad: "y".repeat(200_000) }));
    const catalog = new WorkspaceCatalog({ workspaceDir: root, maxConcurrentReads: 2 });
    const reads = Array.from({ length: 12 }, () => catalog.read("workspace:///mid.json"));
    // Each read reaches the limiter synchronously: two run, ten wait.
    expect(catalog.activeReads).toBe(2);
    const results = await Promise.all(reads);
    expect(results.map((r) => (r.contents[0] as { text: string }).text.length)).toEqual(
      Array(12).fill(200_010),
    );
    expect(catalog.activeReads).toBe(0);
  });
});

describe("read limiter", () => {
  it("runs at most `limit` tasks at once, the rest in arrival order", async () => {
    const limiter = new ReadLimiter(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    const tasks = [0, 1, 2, 3].map((n) =>
      limiter.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => release.push(resolve));
        return n;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    release[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (let i = 1; i < 4; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      release[i]?.();
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(limiter.active).toBe(0);
  });
});
