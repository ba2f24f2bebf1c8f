/**
 * A host that never reads the gateway's stderr (issue #11): once the pipe is full, log lines must
 * wait or be dropped, never fail a call or end the process.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFaultProject } from "../../fixtures/fault-project.js";
import { CLI } from "../../fixtures/mcp-gateway-process.js";
import { RawStdio, toolCall } from "../../fixtures/raw-stdio.js";

const CALLS = 3000;

let config: string;
beforeAll(async () => {
  config = await writeFaultProject();
});

const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("a full stderr pipe", () => {
  it("does not stop the gateway: every call of a burst that logs far more than the pipe holds is answered", {
    timeout: 60_000,
  }, async () => {
    // stderr is piped and never read: after 64 KiB the gateway's log writes find the pipe full.
    const child = spawn(process.execPath, [CLI, "mcp", "--config", config, "--no-watch"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LOOM_LOG_LEVEL: "debug" },
    });
    children.push(child);
    const rpc = new RawStdio(child);
    await rpc.initialize();
    const tools = ["ok", "throws", "unhandled_rejection"];
    rpc.send(
      ...Array.from({ length: CALLS }, (_, i) => toolCall(i + 1, tools[i % 3] ?? "ok", { text: "x" })),
    );
    const replies = await Promise.all(Array.from({ length: CALLS }, (_, i) => rpc.reply(i + 1, 20_000)));
    expect(replies.filter((r) => r.error !== undefined)).toEqual([]);
    expect(child.exitCode).toBeNull();
  });
});
