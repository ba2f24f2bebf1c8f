/**
 * The `loom` executable however people start it: from a clone (`npx --no-install loom`,
 * `./dist/cli/main.js`), and installed from a packed tarball into another project (`npx loom`,
 * serving MCP over stdio to the official client). Plus what a CLI user expects: --version,
 * usage errors with exit 2, --verbose stacks, shell completion.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { connectStdio } from "../fixtures/mcp-clients.js";

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const { version } = (await import("../../package.json", { with: { type: "json" } })).default;

async function sh(command: string, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec("bash", ["-c", command], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("the loom executable", () => {
  it("runs from a clone as npx --no-install loom and as ./dist/cli/main.js", async () => {
    expect((await sh("npx --no-install loom --version")).stdout.trim()).toBe(version);
    expect((await sh("./dist/cli/main.js -V")).stdout.trim()).toBe(version);
  });

  it("answers usage errors in two lines with exit 2, and shows a stack only with --verbose", async () => {
    const unknown = await sh("node dist/cli/main.js nosuch");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toEqual([
      "error: unknown command 'nosuch'",
      "(add --help for usage)",
    ]);
    const missing = await sh("node dist/cli/main.js run worker --input '{}'");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--config <file>' not specified");

    const failing = "node dist/cli/main.js run worker --config no-such.yaml --input '{}'";
    const plain = await sh(failing);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^loom run worker: .*no-such\.yaml/);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const verbose = await sh(
      `node dist/cli/main.js --verbose ${failing.slice("node dist/cli/main.js ".length)}`,
    );
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it("shows an example in a command's help and through loom help <command>", async () => {
    expect((await sh("node dist/cli/main.js help eval")).stdout).toContain(
      "Example:\n  loom eval entity_extractor",
    );
    expect((await sh("node dist/cli/main.js mcp --help")).stdout).toContain("Example:");
  });

  it("prints a bash completion script that completes commands, subcommands and options", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "loom-completion-"));
    const script = path.join(dir, "loom.bash");
    await writeFile(script, (await sh("node dist/cli/main.js completion bash")).stdout);
    const complete = async (...words: string[]) =>
      (
        await sh(
          `source ${script}; COMP_WORDS=(loom ${words.join(" ")}); COMP_CWORD=${words.length}; _loom; echo "\${COMPREPLY[@]}"`,
        )
      ).stdout.trim();
    expect(await complete("work")).toBe("worker workshop");
    expect(await complete("dead-letters", "re")).toBe("replay");
    expect(await complete("mcp", "--tr")).toBe("--transport");
    expect((await sh("node dist/cli/main.js completion fish")).code).toBe(2);
  });

  it("installs from a packed tarball into another project and globally, and serves MCP over stdio", {
    timeout: 240_000,
  }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "loom-install-"));
    // --ignore-scripts: `npm test` built dist/ already; rebuilding here would race the other test files.
    const packed = await sh(`npm pack --ignore-scripts --silent --pack-destination ${dir}`);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = path.join(dir, packed.stdout.trim().split("\n").at(-1) ?? "");
    const installed = await sh(`npm init -y >/dev/null && npm install --no-audit --no-fund ${tarball}`, dir);
    expect(installed.code, installed.stderr).toBe(0);
    expect((await sh("npx loom --version", dir)).stdout.trim()).toBe(version);

    const client = await connectStdio("client-v2", {
      command: path.join(dir, "node_modules", ".bin", "loom"),
      args: ["mcp", "--config", path.join(dir, "node_modules", "loom-ai", "configs", "mcp", "example.yaml")],
      cwd: dir,
    });
    try {
      const tools = (await client.listTools()).map((t) => t.name);
      expect(tools).toContain("read_document");
      expect(tools).toContain("docs_search");
    } finally {
      await client.close();
    }

    // npm install -g, into a prefix of its own: `loom` on the PATH from the prefix's bin folder.
    const prefix = path.join(dir, "global");
    const global = await sh(`npm install -g --prefix ${prefix} --no-audit --no-fund ${tarball}`, dir);
    expect(global.code, global.stderr).toBe(0);
    const onPath = await sh(
      `PATH=${path.join(prefix, "bin")}:$PATH; command -v loom && loom --version`,
      tmpdir(),
    );
    expect(onPath.stdout.trim().split("\n")).toEqual([path.join(prefix, "bin", "loom"), version]);
    const globalClient = await connectStdio("client-v2", {
      command: path.join(prefix, "bin", "loom"),
      args: [
        "mcp",
        "--config",
        path.join(prefix, "lib", "node_modules", "loom-ai", "configs", "mcp", "example.yaml"),
      ],
      cwd: tmpdir(),
    });
    try {
      expect((await globalClient.listTools()).map((t) => t.name)).toContain("read_document");
    } finally {
      await globalClient.close();
    }
  });
});
