/**
 * Gateway cost curves of bench/scale.ts, each against a real `loom mcp` child process:
 * start → first tools/list and tools/list latency at N worker tools (stdio, the v1 MCP SDK client),
 * hot reload of one worker file among N, and RSS with many idle 2025-era HTTP sessions.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListToolsResultSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { CLI, startGatewayHttp } from "../test/fixtures/mcp-gateway-process.js";
import { openLegacySession } from "../test/fixtures/raw-http.js";
import { echoBackend, worker } from "./_mcp-fixture.js";
import { rawSpawnToFirstList } from "./_mcp-measure.js";
import { median } from "./_stats.js";

const REPO = path.resolve(import.meta.dirname, "..");
const MEMORY_PROBE = path.join(REPO, "bench/memory-probe.mjs");
const READ_PROBE = path.join(REPO, "test/fixtures/read-recorder.mjs");

/** A project of `count` processor workers, each served as a tool. */
export interface ScaleProject {
  dir: string;
  mcpConfig: string;
  workers: string[];
  workerFile(name: string): string;
  remove(): Promise<void>;
}

/** Writes `count` echo processor workers (distinct schemas) and an MCP config serving them all. */
export async function writeScaleProject(count: number): Promise<ScaleProject> {
  const dir = await mkdtemp(path.join(tmpdir(), `loom-bench-scale-${count}-`));
  for (const sub of ["workers", "backends", "mcp"]) await mkdir(path.join(dir, sub));
  await writeFile(path.join(dir, "backends/echo.js"), echoBackend(REPO));
  const workers = Array.from({ length: count }, (_, i) => `echo_${String(i + 1).padStart(4, "0")}`);
  const workerFile = (name: string) => path.join(dir, `workers/${name}.yaml`);
  await Promise.all(workers.map((name) => writeFile(workerFile(name), worker(name))));
  const mcpConfig = path.join(dir, "mcp/scale.yaml");
  await writeFile(
    mcpConfig,
    [
      "name: scale",
      "tools:",
      "  workers:",
      ...workers.map((n) => `    - config: ../workers/${n}.yaml`),
      "",
    ].join("\n"),
  );
  return { dir, mcpConfig, workers, workerFile, remove: () => rm(dir, { recursive: true, force: true }) };
}

const gatewayArgs = (project: ScaleProject, extra: string[] = []) => [
  CLI,
  "mcp",
  "--config",
  project.mcpConfig,
  ...extra,
];

/** A v1 SDK client connected over stdio to `loom mcp`. */
async function connect(project: ScaleProject, env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: gatewayArgs(project),
    cwd: project.dir,
    stderr: "ignore",
    env: { ...(process.env as Record<string, string>), LOOM_LOG_LEVEL: "warn", ...env },
  });
  const client = new Client({ name: "loom-bench-scale", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/** One row of the tools curve. */
export interface ToolsPoint {
  tools: number;
  /**
   * Median ms from spawn to the first tools/list answer (raw JSON-RPC lines: the server alone), over
   * the starts after the first: what a restart costs once the parse cache holds the project.
   */
  startMs: number;
  /** The first start of the freshly written project: every file parsed (no parse cache yet). */
  firstStartMs: number;
  /** Median ms from spawn to the first tools/list answer through the SDK client. */
  sdkStartMs: number;
  /** p50 and p95 ms of tools/list through the SDK client (schema-checked result). */
  listP50Ms: number;
  listP95Ms: number;
}

/** Start and tools/list latency of a gateway serving `project`'s workers. */
export async function measureTools(
  project: ScaleProject,
  starts: number,
  lists: number,
): Promise<ToolsPoint> {
  const tools = project.workers.length;
  const server = {
    label: "loom mcp",
    command: process.execPath,
    args: gatewayArgs(project),
    cwd: project.dir,
  };
  const raw: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < starts; i++) {
    raw.push(await rawSpawnToFirstList(server, tools));
    const started = performance.now();
    const client = await connect(project);
    const listed = await client.request({ method: "tools/list" }, ListToolsResultSchema);
    sdk.push(performance.now() - started);
    await client.close();
    if (listed.tools.length !== tools)
      throw new Error(`listed ${listed.tools.length} tools, expected ${tools}`);
  }
  const client = await connect(project);
  try {
    for (let i = 0; i < 5; i++) await client.request({ method: "tools/list" }, ListToolsResultSchema);
    const times: number[] = [];
    for (let i = 0; i < lists; i++) {
      const started = performance.now();
      await client.request({ method: "tools/list" }, ListToolsResultSchema);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return {
      tools,
      startMs: median(raw.length > 1 ? raw.slice(1) : raw),
      firstStartMs: raw[0] ?? Number.NaN,
      sdkStartMs: median(sdk),
      listP50Ms: median(times),
      listP95Ms: times[Math.floor(times.length * 0.95)] ?? Number.NaN,
    };
  } finally {
    await client.close();
  }
}

/** One hot reload: time to the notification and the worker files read for it. */
export interface ReloadSample {
  notifiedMs: number;
  /** Reads of worker files (the changed one included). */
  filesRead: number;
  /** Reads of worker files other than the changed one. */
  othersRead: number;
  changedRead: boolean;
}

/** What {@link measureReload} found. */
export interface ReloadResult {
  tools: number;
  samples: ReloadSample[];
  /** Worker files read at start (each read of each file counts). */
  startReads: number;
}

/**
 * Edits one worker file (its description) `edits` times, each a different file, and times the write
 * to `notifications/tools/list_changed`; counts the worker files the gateway read meanwhile.
 */
export async function measureReload(project: ScaleProject, edits: number): Promise<ReloadResult> {
  const workersDir = `${path.join(project.dir, "workers")}/`;
  const log = path.join(project.dir, "reads.log");
  const reads = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []);
  const client = await connect(project, {
    NODE_OPTIONS: `--import ${READ_PROBE}`,
    LOOM_READ_PROBE_DIR: workersDir,
    LOOM_READ_PROBE_LOG: log,
  });
  let notified: (() => void) | undefined;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => notified?.());
  try {
    await client.request({ method: "tools/list" }, ListToolsResultSchema);
    // Let the watcher settle (it is ready before the server answers, but be generous).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const startReads = reads().length;
    const samples: ReloadSample[] = [];
    for (let e = 0; e < edits; e++) {
      const name = project.workers[(e * 7919) % project.workers.length] as string;
      const file = project.workerFile(name);
      const before = reads().length;
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no tools/list_changed within 30 s of editing ${name}`)),
          30_000,
        );
        notified = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const text = worker(name).replace(`(bench worker ${name})`, `(bench worker ${name}, edit ${e + 1})`);
      const started = performance.now();
      await writeFile(file, text);
      await arrived;
      const notifiedMs = performance.now() - started;
      const listed = await client.request({ method: "tools/list" }, ListToolsResultSchema);
      const tool = listed.tools.find((t) => t.name === name);
      if (!tool?.description?.includes(`edit ${e + 1}`)) throw new Error(`tool '${name}' was not reloaded`);
      // Reads logged after the notification belong to this reload too (the watcher's digest).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const read = reads().slice(before);
      samples.push({
        notifiedMs,
        filesRead: read.length,
        othersRead: read.filter((f) => f !== file).length,
        changedRead: read.includes(file),
      });
    }
    return { tools: project.workers.length, samples, startReads };
  } finally {
    await client.close();
  }
}

/** RSS figures of the sessions curve, MiB after full GCs. */
export interface SessionsResult {
  tools: number;
  sessions: number;
  idleMiB: number;
  openMiB: number;
  closedMiB: number;
  idleHeapMiB: number;
  openHeapMiB: number;
  closedHeapMiB: number;
  openSeconds: number;
}

interface ProbeLine {
  rss: number;
  heapUsed: number;
}

async function probe(pid: number, file: string): Promise<ProbeLine> {
  const lines = () => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);
  const seen = lines().length;
  process.kill(pid, "SIGUSR2");
  for (let waited = 0; waited < 10_000 && lines().length === seen; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const last = lines().at(-1);
  if (lines().length === seen || !last) throw new Error("the memory probe did not answer within 10 s");
  return JSON.parse(last) as ProbeLine;
}

const MiB = (bytes: number) => bytes / 1024 / 1024;

/**
 * Opens `sessions` 2025-era sessions (initialize + initialized, nothing else) on a gateway over
 * streamable HTTP, then closes them with DELETE; reads RSS after full GCs before, while open and
 * after. A warm-up round of 20 sessions comes first, so compiled code is in the idle figure.
 */
export async function measureSessions(project: ScaleProject, sessions: number): Promise<SessionsResult> {
  const probeFile = path.join(project.dir, "memory.jsonl");
  const gateway = await startGatewayHttp(
    project.mcpConfig,
    project.dir,
    {
      LOOM_LOG_LEVEL: "warn",
      LOOM_MEMORY_PROBE: probeFile,
      NODE_OPTIONS: `--expose-gc --import ${MEMORY_PROBE}`,
    },
    // Every session comes from 127.0.0.1: the per-address limit is for hosts, not for this.
    ["--max-sessions", String(sessions + 100), "--max-sessions-per-client", "0"],
  );
  const pid = gateway.child.pid as number;
  const open = async (count: number) => {
    const opened: Record<string, string>[] = [];
    // A few at a time, as clients connecting over a short while would.
    for (let i = 0; i < count; i += 20) {
      const batch = Math.min(20, count - i);
      opened.push(
        ...(await Promise.all(Array.from({ length: batch }, () => openLegacySession(gateway.url)))),
      );
    }
    return opened;
  };
  const close = async (opened: Record<string, string>[]) => {
    for (let i = 0; i < opened.length; i += 20) {
      await Promise.all(
        opened.slice(i, i + 20).map(async (headers) => {
          const response = await fetch(gateway.url, { method: "DELETE", headers });
          await response.text();
          if (!response.ok) throw new Error(`DELETE of a session answered HTTP ${response.status}`);
        }),
      );
    }
  };
  try {
    await close(await open(20));
    const idle = await probe(pid, probeFile);
    const started = performance.now();
    const opened = await open(sessions);
    const openSeconds = (performance.now() - started) / 1000;
    const busy = await probe(pid, probeFile);
    await close(opened);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const closed = await probe(pid, probeFile);
    return {
      tools: project.workers.length,
      sessions,
      idleMiB: MiB(idle.rss),
      openMiB: MiB(busy.rss),
      closedMiB: MiB(closed.rss),
      idleHeapMiB: MiB(idle.heapUsed),
      openHeapMiB: MiB(busy.heapUsed),
      closedHeapMiB: MiB(closed.heapUsed),
      openSeconds,
    };
  } finally {
    await gateway.stop();
  }
}
