/**
 * The Workshop's Dead letters page against a real nats-server: a dead letter shows with its reason,
 * worker type and tier; replaying it sends its task back to the router's queue; purge removes all.
 */
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../src/bus/connection.js";
import { ensureMesh, STREAMS } from "../../src/bus/streams.js";
import { countDeadLetters, publishDeadLetter } from "../../src/mesh/dead-letters.js";
import { startWorkshop, type WorkshopHandle } from "../../src/workshop/index.js";
import { startFakeLlm } from "../fixtures/fake-llm-server.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";
import { writeWorkshopProject } from "../fixtures/workshop-project.js";

describe("the Workshop's Dead letters page", () => {
  let nats: NatsServerHandle;
  let workshop: WorkshopHandle;
  let base: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    const llm = await startFakeLlm();
    const project = await writeWorkshopProject(llm.url);
    await llm.close();
    workshop = await startWorkshop({
      configsDir: project.configsDir,
      port: 0,
      natsUrl: nats.url,
      log: () => {},
    });
    base = `http://127.0.0.1:${workshop.port}`;
  });

  afterAll(async () => {
    await workshop?.close();
    await nats?.stop();
  });

  it("lists, replays and purges the mesh's dead letters", async () => {
    const nc = await connectNats({ url: nats.url, name: "test" });
    try {
      const mesh = await ensureMesh(nc);
      const js = jetstream(nc);
      const task = { task_id: "t-1", worker_type: "ghost", tier: "local" as const, payload: { text: "hi" } };
      await publishDeadLetter(js, {
        code: "unroutable",
        reason: "no worker serves 'ghost' on tier local",
        source: "router-1",
        worker_type: "ghost",
        tier: "local",
        task,
      });
      await publishDeadLetter(js, {
        code: "invalid_message",
        reason: "not JSON",
        source: "router-1",
        raw: "{oops",
      });

      const page = await (await fetch(`${base}/dead-letters`)).text();
      expect(page).toContain("2 dead letter(s) on the mesh");
      expect(page).toContain("no worker serves &#39;ghost&#39; on tier local");
      expect(page).toContain('href="/dead-letters"');
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? "";
      const id = /<tr data-id="(\d+)"><td><input[^>]*><\/td><td>\d+<\/td>\s*<td><code>unroutable/.exec(
        page,
      )?.[1];
      expect(id).toBeDefined();

      const incomingBefore = (await mesh.jsm.streams.info(STREAMS.incoming)).state.messages;
      const post = (url: string, body: Record<string, string>) =>
        fetch(`${base}${url}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ _csrf: csrf, ...body }),
        });
      const replayed = await post("/dead-letters/replay", { id: id ?? "" });
      expect(replayed.status).toBe(200);
      expect(await replayed.text()).toContain("Replayed 1 dead letter(s)");
      expect((await mesh.jsm.streams.info(STREAMS.incoming)).state.messages).toBe(incomingBefore + 1);
      expect(await countDeadLetters(mesh.jsm)).toBe(1);

      const nothing = await post("/dead-letters/replay", {});
      expect(nothing.status).toBe(400);
      const purged = await post("/dead-letters/purge", { all: "1" });
      expect(await purged.text()).toContain("Purged 1 dead letter(s)");
      expect(await countDeadLetters(mesh.jsm)).toBe(0);
    } finally {
      await nc.close();
    }
  });

  it("is not there without a NATS URL, and says how to get it", async () => {
    const llm = await startFakeLlm();
    const project = await writeWorkshopProject(llm.url);
    await llm.close();
    const local = await startWorkshop({ configsDir: project.configsDir, port: 0, log: () => {} });
    try {
      const response = await fetch(`http://127.0.0.1:${local.port}/dead-letters`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain("start the Workshop with --nats-url");
    } finally {
      await local.close();
    }
  });
});
