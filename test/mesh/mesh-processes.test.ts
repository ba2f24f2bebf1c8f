/**
 * The mesh as a user runs it: a real nats-server, `loom router`, `loom worker` and `loom processor`
 * processes, and a NatsDispatcher as the caller (what `loom mcp --nats-url` uses).
 */
import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureMesh, type Mesh } from "../../src/bus/streams.js";
import { resultSubject } from "../../src/bus/subjects.js";
import { loadWorkerConfig } from "../../src/config/loaders.js";
import { listDeadLetters, replayDeadLetter } from "../../src/mesh/dead-letters.js";
import { NatsDispatcher } from "../../src/mesh/nats-dispatcher.js";
import { readRegistry } from "../../src/mesh/registry.js";
import { storedResult } from "../../src/mesh/results.js";
import type { TaskMessage } from "../../src/worker/messages.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { type MeshProcess, type MeshProject, meshProject, startLoom } from "../fixtures/mesh-project.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";

let nats: NatsServerHandle;
let llm: FakeLlm;
let project: MeshProject;
let nc: NatsConnection;
let mesh: Mesh;
let dispatcher: NatsDispatcher;
const processes: MeshProcess[] = [];

function task(
  workerType: string,
  payload: Record<string, unknown>,
  extra: Partial<TaskMessage> = {},
): TaskMessage {
  return { task_id: randomUUID(), worker_type: workerType, payload, ...extra };
}

function start(args: string[]): MeshProcess {
  const child = startLoom([...args, "--nats-url", nats.url], project.dir);
  processes.push(child);
  return child;
}

/** Waits until the registry lists `count` live processes matching `where`. */
async function registered(
  where: (key: { kind: string; tier?: string; worker_type?: string }) => boolean,
  count: number,
) {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if ((await readRegistry(mesh.registry)).filter(where).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("mesh processes did not register within 15 s");
}

beforeAll(async () => {
  [nats, llm] = await Promise.all([startNatsServer(), startFakeLlm()]);
  project = await meshProject(llm.url);
  nc = await connect({ servers: nats.url });
  mesh = await ensureMesh(nc);
  const workers = new Map(
    await Promise.all(
      [project.llmWorker, project.processor].map(async (file) => {
        const worker = await loadWorkerConfig(file);
        return [worker.name, worker] as const;
      }),
    ),
  );
  dispatcher = new NatsDispatcher({ nc, mesh, workers });
  start(["router"]);
  start(["worker", "--config", project.llmWorker]);
  start(["processor", "--config", project.processor, "--concurrency", "4"]);
  await registered((e) => e.kind === "router", 1);
  await registered((e) => e.kind !== "router", 2);
}, 30_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await nc?.close();
  await Promise.all([nats?.stop(), llm?.close(), project?.remove()]);
});

describe("router → worker → result", () => {
  it("runs an LLM worker's task in the worker process and says which instance ran it", async () => {
    llm.enqueue({ text: '{"people":["Ada Lovelace"]}', usage: { input: 12, output: 5 } });
    const result = await dispatcher.dispatch(
      task("entity_extractor", { text: "Ada wrote the first program." }),
    );
    expect(result).toMatchObject({
      status: "completed",
      output: { people: ["Ada Lovelace"] },
      model_used: "fake-model",
      token_usage: { input: 12, output: 5 },
      attempts: 1,
    });
    expect(result.worker_id).toMatch(/^entity_extractor-local-/);
    expect(llm.chatRequests().at(-1)?.system).toContain("Extract entities");
  });

  it("runs 20 processor tasks at once, each with its own result", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `doc-${i}`);
    const results = await Promise.all(
      ids.map((id) => dispatcher.dispatch(task("slow_echo", { id, ms: 20 }))),
    );
    expect(results.map((r) => r.output?.id)).toEqual(ids);
    expect(results.every((r) => r.status === "completed" && r.output?.pid !== process.pid)).toBe(true);
  });

  it("checks the payload in the worker: invalid_input names the field", async () => {
    const result = await dispatcher.dispatch(task("slow_echo", { ms: 1 }));
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toContain("id");
  });

  it("answers a task nobody serves at once as unroutable and keeps it as a dead letter", async () => {
    const started = Date.now();
    const lost = task("nobody_serves_this", { x: 1 });
    const result = await dispatcher.dispatch(lost);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.error?.code).toBe("unroutable");
    expect(result.error?.message).toContain("no worker serves 'nobody_serves_this'");
    const letters = await listDeadLetters(mesh.jsm);
    expect(letters.find((l) => l.task?.task_id === lost.task_id)).toMatchObject({ code: "unroutable" });
  });

  it("carries progress notes from the worker to the caller", async () => {
    llm.enqueue({ status: 500, message: "overloaded" }, { text: '{"people":[]}' });
    const notes: string[] = [];
    const result = await dispatcher.dispatch(task("entity_extractor", { text: "nobody here" }), {
      onProgress: (p) => notes.push(p.message),
    });
    expect(result.status).toBe("completed");
    expect(notes.length).toBeGreaterThan(0);
  });

  it("cancels across the mesh: the caller gets cancelled at once and the worker stops the task", async () => {
    const slow = task("slow_echo", { id: "slow", ms: 20_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = Date.now();
    const result = await dispatcher.dispatch(slow, { signal: controller.signal });
    expect(result.error?.code).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(2500);
    // The worker publishes the cancelled run's own result long before the 20 s the task would take.
    const subject = resultSubject(slow.task_id);
    const until = Date.now() + 5000;
    let stored = await storedResult(mesh.jsm, subject);
    while (!stored && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stored = await storedResult(mesh.jsm, subject);
    }
    expect(stored?.error?.code).toBe("cancelled");
  });
});

describe("router rules on the mesh", () => {
  it("applies tier_overrides and max_concurrent, dead-letters the refusal, and replays it", async () => {
    // Swap the plain router for one with rules, and add a frontier copy of the LLM worker.
    await processes[0]?.stop();
    const rules = await project.rules(
      "tier_overrides:\n  entity_extractor: frontier\nrate_limits:\n  local:\n    max_concurrent: 1\n",
    );
    start(["router", "--rules", rules]);
    start(["worker", "--config", project.llmWorker, "--tier", "frontier"]);
    await registered((e) => e.tier === "frontier", 1);
    await registered((e) => e.kind === "router", 1);

    llm.enqueue({ text: '{"people":["Grace"]}' });
    const overridden = await dispatcher.dispatch(task("entity_extractor", { text: "Grace Hopper" }));
    expect(overridden.status).toBe("completed");
    expect(overridden.worker_id).toMatch(/^entity_extractor-frontier-/);

    const [first, second] = await Promise.all([
      dispatcher.dispatch(task("slow_echo", { id: "a", ms: 1500 })),
      new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
        dispatcher.dispatch(task("slow_echo", { id: "b", ms: 10 })),
      ),
    ]);
    expect(first.status).toBe("completed");
    expect(second.error?.code).toBe("rate_limited");
    expect(second.error?.details?.retry_after_ms).toBeGreaterThan(0);

    const letter = (await listDeadLetters(mesh.jsm)).find((l) => l.task?.payload.id === "b");
    expect(letter).toMatchObject({ code: "rate_limited", worker_type: "slow_echo" });
    const replayed = await replayDeadLetter(mesh.jsm, jetstream(nc), letter?.id ?? 0);
    const subject = resultSubject(replayed.task_id);
    const until = Date.now() + 10_000;
    let stored = await storedResult(mesh.jsm, subject);
    while (stored?.status !== "completed" && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stored = await storedResult(mesh.jsm, subject);
    }
    expect(stored).toMatchObject({ status: "completed", output: { id: "b" } });
    expect((await listDeadLetters(mesh.jsm)).some((l) => l.id === letter?.id)).toBe(false);
  }, 40_000);
});
