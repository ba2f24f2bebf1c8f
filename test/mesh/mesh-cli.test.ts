/**
 * The mesh commands as a user types them: `loom mesh status`, `loom dead-letters`, credentials in
 * the URL, a worker config that fails validation, a server without JetStream, and a worker that
 * drains on SIGTERM.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureMesh, type Mesh } from "../../src/bus/streams.js";
import { loadWorkerConfig } from "../../src/config/loaders.js";
import { NatsDispatcher } from "../../src/mesh/nats-dispatcher.js";
import { readRegistry } from "../../src/mesh/registry.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { CLI, type MeshProject, meshProject, startLoom } from "../fixtures/mesh-project.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";

const run = promisify(execFile);

let nats: NatsServerHandle;
let llm: FakeLlm;
let project: MeshProject;
let nc: NatsConnection;
let mesh: Mesh;

async function loom(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: project.dir });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

beforeAll(async () => {
  [nats, llm] = await Promise.all([startNatsServer(), startFakeLlm()]);
  project = await meshProject(llm.url);
  nc = await connect({ servers: nats.url });
  mesh = await ensureMesh(nc);
});

afterAll(async () => {
  await nc?.close();
  await Promise.all([nats?.stop(), llm?.close(), project?.remove()]);
});

/** A `loom processor` for slow_echo and a `loom router`, both taking work. */
async function processorAndRouter() {
  const processor = startLoom(
    ["processor", "--config", project.processor, "--nats-url", nats.url],
    project.dir,
  );
  const router = startLoom(["router", "--nats-url", nats.url], project.dir);
  await Promise.all([processor.waitFor("takes tasks from"), router.waitFor("router takes tasks")]);
  return { processor, router };
}

describe("loom mesh status and loom dead-letters", () => {
  it("shows the processes and the dead letter of an unroutable task, replays and purges it", async () => {
    const { processor, router } = await processorAndRouter();
    try {
      while ((await readRegistry(mesh.registry)).length < 2) await new Promise((r) => setTimeout(r, 50));
      const dispatcher = new NatsDispatcher({ nc, mesh });
      const done = await dispatcher.dispatch({
        task_id: randomUUID(),
        worker_type: "slow_echo",
        payload: { id: "x" },
      });
      expect(done.status).toBe("completed");
      const lost = await dispatcher.dispatch({ task_id: randomUUID(), worker_type: "ghost", payload: {} });
      expect(lost.error?.code).toBe("unroutable");

      // `nats micro ls` semantics: both processes answer a services ping, with what they serve.
      const services = [];
      for await (const info of await new Svcm(nc as never).client().info()) services.push(info);
      expect(services.map((s) => s.name).sort()).toEqual(["loom-processor", "loom-router"]);
      expect(services.find((s) => s.name === "loom-processor")?.metadata).toMatchObject({
        worker_type: "slow_echo",
        tier: "any",
        subject: "loom.tasks.slow_echo.*",
      });

      const status = await loom("mesh", "status", "--nats-url", nats.url);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/routers: 1/);
      expect(status.stdout).toMatch(/slow_echo\.any\s+1\s+0\s+0\s+1\s+0/);
      expect(status.stdout).toMatch(/dead letters: 1/);
      const json = JSON.parse((await loom("mesh", "status", "--json", "--nats-url", nats.url)).stdout);
      expect(json.workers[0]).toMatchObject({
        worker_type: "slow_echo",
        tier: "any",
        instances: 1,
        done: 1,
      });

      const list = await loom("dead-letters", "list", "--nats-url", nats.url);
      const [id] = list.stdout.split("\t");
      expect(list.stdout).toContain("unroutable\tghost");
      const show = JSON.parse(
        (await loom("dead-letters", "show", String(id), "--nats-url", nats.url)).stdout,
      );
      expect(show).toMatchObject({ code: "unroutable", task: { task_id: lost.task_id } });
      const replay = await loom("dead-letters", "replay", String(id), "--nats-url", nats.url);
      expect(replay.stdout).toContain(`replayed ${id}: task ${lost.task_id}`);
      // Still nobody serves 'ghost': the replay is dead-lettered again, under a new id.
      let again = "";
      for (let i = 0; i < 100 && !again.includes("ghost"); i++) {
        again = (await loom("dead-letters", "list", "--nats-url", nats.url)).stdout;
      }
      expect(again.split("\t")[0]).not.toBe(id);
      expect((await loom("dead-letters", "purge", "--nats-url", nats.url)).stdout).toContain("removed 1");
      expect((await loom("dead-letters", "list", "--nats-url", nats.url)).stdout).toBe("no dead letters\n");
      const missing = await loom("dead-letters", "show", "999", "--nats-url", nats.url);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("no dead letter 999");
    } finally {
      await Promise.all([processor.stop(), router.stop()]);
    }
  }, 60_000);
});

describe("starting mesh processes", () => {
  it("a worker config that fails validation refuses to start and prints its issues", async () => {
    const broken = path.join(project.dir, "workers/broken.yaml");
    await writeFile(broken, "name: broken\nsystem_prompt: hi\ndefault_model_tier: huge\n");
    const result = await loom("worker", "--config", broken, "--nats-url", nats.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("default_model_tier");
  });

  it("loom worker refuses a processor config and says which command runs it", async () => {
    const result = await loom("worker", "--config", project.processor, "--nats-url", nats.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`loom processor --config ${project.processor}`);
  });

  it("an unreachable server and a server without JetStream are clear errors", async () => {
    const unreachable = await loom("router", "--nats-url", "nats://127.0.0.1:1");
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot connect to NATS at nats://127.0.0.1:1");
    await using plain = await startNatsServer({ jetstream: false });
    const noJs = await loom("router", "--nats-url", plain.url);
    expect(noJs.code).toBe(1);
    expect(noJs.stderr).toContain("nats-server -js");
  });

  it("connects with user and password in the URL, and says so when they are wrong", async () => {
    await using secured = await startNatsServer({ args: ["--user", "loom", "--pass", "s3cret"] });
    const port = new URL(secured.url).port;
    const wrong = await loom("mesh", "status", "--nats-url", `nats://loom:nope@127.0.0.1:${port}`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: .*auth/i);
    expect(wrong.stderr).not.toContain("nope");
    const right = await loom("mesh", "status", "--nats-url", `nats://loom:s3cret@127.0.0.1:${port}`);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain("workers: none running");
  });

  it("a worker drains on SIGTERM: the task in flight finishes and its result is delivered", async () => {
    const { processor, router } = await processorAndRouter();
    try {
      const workers = new Map([["slow_echo", await loadWorkerConfig(project.processor)]]);
      const dispatcher = new NatsDispatcher({ nc, mesh, workers });
      const pending = dispatcher.dispatch({
        task_id: randomUUID(),
        worker_type: "slow_echo",
        payload: { id: "drain", ms: 1500 },
      });
      while ((await readRegistry(mesh.registry)).every((e) => e.in_flight === 0)) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const exit = processor.stop();
      const result = await pending;
      expect(result).toMatchObject({ status: "completed", output: { id: "drain" } });
      expect(await exit).toBe(0);
      expect(processor.stderr()).toContain("draining");
    } finally {
      await Promise.all([processor.stop(), router.stop()]);
    }
  }, 30_000);
});
