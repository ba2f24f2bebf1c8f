import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigFileCache } from "../../../src/config/file-cache.js";
import { createServer } from "../../../src/mcp/gateway.js";
import { discoverTools } from "../../../src/mcp/gateway-tools.js";
import { silentLogger } from "../../../src/mcp/logger.js";
import { ConfigWatcher, type ReloadEvent } from "../../../src/mcp/reload/config-watcher.js";
import { loadGatewayConfig } from "../../../src/mcp/reload/load-config.js";
import { eventually } from "../../fixtures/mesh-cluster.js";

/** What the tests reload: the tool names and descriptions, and the files read. */
interface ConfigSet {
  descriptions: Record<string, string>;
  files: string[];
}

async function loadConfigSet(file: string): Promise<ConfigSet> {
  const discovered = await discoverTools(await loadGatewayConfig(file), { logger: silentLogger });
  await discovered.close();
  return {
    descriptions: Object.fromEntries(discovered.tools.map((t) => [t.name, t.description])),
    files: discovered.files,
  };
}

let dir: string;
let mcpFile: string;
let workerFile: string;
let watcher: ConfigWatcher<ConfigSet> | undefined;

const worker = (description: string) => `name: echo
description: "${description}"
worker_kind: processor
processing_backend: "./echo.js#Echo"
input_schema: { type: object, properties: { text: { type: string } } }
output_schema: { type: object, properties: { text: { type: string } } }
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-reload-"));
  await mkdir(path.join(dir, "workers"));
  await mkdir(path.join(dir, "orchestrators"));
  workerFile = path.join(dir, "workers/echo.yaml");
  await writeFile(workerFile, worker("first"));
  await writeFile(
    path.join(dir, "orchestrators/flow.yaml"),
    `name: flow
pipeline_stages:
  - name: one
    worker_type: echo
    input_mapping: { text: "goal.context.text" }
`,
  );
  mcpFile = path.join(dir, "gateway.yaml");
  await writeFile(
    mcpFile,
    `name: test
tools:
  workers:
    - config: workers/echo.yaml
  pipelines:
    - config: orchestrators/flow.yaml
      name: run_flow
`,
  );
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts a watcher over the set in `dir` and returns a queue of its events. */
async function watchSet(): Promise<{ next: () => Promise<ReloadEvent<ConfigSet>>; initial: ConfigSet }> {
  const initial = await loadConfigSet(mcpFile);
  const events: ReloadEvent<ConfigSet>[] = [];
  const waiters: ((e: ReloadEvent<ConfigSet>) => void)[] = [];
  watcher = await ConfigWatcher.start<ConfigSet>({
    files: initial.files,
    debounceMs: 50,
    load: async () => {
      const set = await loadConfigSet(mcpFile);
      return { value: set, files: set.files };
    },
    onReload: (event) => {
      const waiter = waiters.shift();
      if (waiter) waiter(event);
      else events.push(event);
    },
  });
  const next = () => {
    const ready = events.shift();
    return ready
      ? Promise.resolve(ready)
      : new Promise<ReloadEvent<ConfigSet>>((resolve) => waiters.push(resolve));
  };
  return { next, initial };
}

describe("gateway config files", () => {
  it("records the MCP config, its workers and pipelines, and the workers the pipelines use", async () => {
    const set = await loadConfigSet(mcpFile);
    expect(set.descriptions.echo).toBe("first");
    expect(Object.keys(set.descriptions)).toEqual(["echo", "run_flow"]);
    expect(set.files).toEqual([mcpFile, path.join(dir, "orchestrators/flow.yaml"), workerFile].sort());
  });
});

describe("config watcher", () => {
  it("reloads the whole set when a worker's description changes", async () => {
    const { next, initial } = await watchSet();
    expect(initial.descriptions.echo).toBe("first");
    await writeFile(workerFile, worker("second"));
    const event = await next();
    expect(event.type).toBe("reloaded");
    if (event.type === "reloaded") expect(event.value.descriptions.echo).toBe("second");
  });

  it("reports every issue with file:line:col when the YAML breaks, then recovers", async () => {
    const { next } = await watchSet();
    await writeFile(workerFile, `${worker("broken")}timeout_seconds: "soon"\nworker_kind: [oops\n`);
    const invalid = await next();
    expect(invalid.type).toBe("invalid");
    if (invalid.type === "invalid") {
      expect(invalid.issues.length).toBeGreaterThan(0);
      const own = invalid.issues.filter((i) => i.file === workerFile);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((i) => i.line > 1)).toBe(true);
    }
    await writeFile(workerFile, worker("fixed"));
    const fixed = await next();
    expect(fixed.type).toBe("reloaded");
    if (fixed.type === "reloaded") expect(fixed.value.descriptions.echo).toBe("fixed");
  });

  it("follows an editor's atomic save (write a temp file, rename it over the original)", async () => {
    const { next } = await watchSet();
    const temp = path.join(dir, "workers/.echo.yaml.swp");
    await writeFile(temp, worker("renamed"));
    await rename(temp, workerFile);
    const event = await next();
    expect(event.type).toBe("reloaded");
    if (event.type === "reloaded") expect(event.value.descriptions.echo).toBe("renamed");
  });

  it("watches files the new set adds (a worker added to the MCP config)", async () => {
    const { next } = await watchSet();
    const second = path.join(dir, "workers/other.yaml");
    await writeFile(second, worker("other").replace("name: echo", "name: other"));
    await writeFile(
      mcpFile,
      `name: test
tools:
  workers:
    - config: workers/echo.yaml
    - config: workers/other.yaml
`,
    );
    const added = await next();
    expect(added.type).toBe("reloaded");
    expect(watcher?.files).toContain(second);
    await writeFile(second, worker("other changed").replace("name: echo", "name: other"));
    const changed = await next();
    expect(changed.type).toBe("reloaded");
    if (changed.type === "reloaded") expect(changed.value.descriptions.other).toBe("other changed");
  });

  it("keeps watching a file that is deleted and re-created (git checkout), then changed again", async () => {
    const { next } = await watchSet();
    await rm(workerFile);
    const deleted = await next();
    expect(deleted.type).toBe("invalid");
    await writeFile(workerFile, worker("recreated"));
    const recreated = await next();
    expect(recreated.type === "reloaded" && recreated.value.descriptions.echo).toBe("recreated");
    await writeFile(workerFile, worker("changed after"));
    const changed = await next();
    expect(changed.type === "reloaded" && changed.value.descriptions.echo).toBe("changed after");
  });

  it("keeps watching the MCP config after it is deleted and re-created", async () => {
    const { next } = await watchSet();
    const text = "name: test\ntools:\n  workers:\n    - config: workers/echo.yaml\n";
    await rm(mcpFile);
    expect((await next()).type).toBe("invalid");
    await writeFile(mcpFile, text);
    const recreated = await next();
    expect(recreated.type === "reloaded" && Object.keys(recreated.value.descriptions)).toEqual(["echo"]);
    await writeFile(workerFile, worker("changed after"));
    const changed = await next();
    expect(changed.type === "reloaded" && changed.value.descriptions.echo).toBe("changed after");
    await writeFile(mcpFile, `${text}    - config: workers/echo.yaml\n      name: echo_two\n`);
    const again = await next();
    expect(again.type === "reloaded" && Object.keys(again.value.descriptions).sort()).toEqual([
      "echo",
      "echo_two",
    ]);
  });

  it("tells the loader which files changed, and only those", async () => {
    const initial = await loadConfigSet(mcpFile);
    const changed: (readonly string[])[] = [];
    let reloaded: () => void = () => {};
    watcher = await ConfigWatcher.start<ConfigSet>({
      files: initial.files,
      debounceMs: 50,
      load: async (files) => {
        changed.push(files);
        const set = await loadConfigSet(mcpFile);
        return { value: set, files: set.files };
      },
      onReload: () => reloaded(),
    });
    const next = () => new Promise<void>((resolve) => (reloaded = resolve));
    let done = next();
    await writeFile(workerFile, worker("second"));
    await done;
    done = next();
    await writeFile(mcpFile, `${await readFile(mcpFile, "utf8")}description: "now described"\n`);
    await done;
    expect(changed).toEqual([[workerFile], [mcpFile]]);
  });

  it("does not reload when a file is saved unchanged", async () => {
    const { next } = await watchSet();
    await writeFile(workerFile, worker("first"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(workerFile, worker("third"));
    const event = await next();
    expect(event.type === "reloaded" && event.value.descriptions.echo).toBe("third");
  });
});

describe("a gateway's watcher", () => {
  it("picks up an edit made after the files were read and before the watcher was ready", async () => {
    const fileCache = new ConfigFileCache();
    await loadGatewayConfig(mcpFile, { fileCache }); // as the CLI's pre-flight does
    await writeFile(workerFile, worker("edited before the watch"));
    await using server = await createServer(mcpFile, { fileCache, watch: true, logger: silentLogger });
    const description = () => server.tools.find((t) => t.name === "echo")?.description;
    await eventually(
      () => (description() === "edited before the watch" ? true : undefined),
      "the reload of the edit",
      5000,
    );
  });
});
