import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FaultTool,
  type StdioGateway,
  spawnStdioGateway,
  writeFaultProject,
} from "../../fixtures/fault-project.js";
import { CLIENT_KINDS, connectHttp, resultText } from "../../fixtures/mcp-clients.js";
import { type GatewayProcess, startGatewayHttp } from "../../fixtures/mcp-gateway-process.js";
import { openLegacySession } from "../../fixtures/raw-http.js";
import { RawStdio, toolCall } from "../../fixtures/raw-stdio.js";

/** What each misbehaving backend must turn into: an error result with this code and text. */
const EXPECTED: Record<Exclude<FaultTool, "ok" | "rejects_after_cancel">, [code: string, text: RegExp]> = {
  throws: ["backend_error", /failed on purpose/],
  hangs: ["timeout", /timeout_seconds=2/],
  exits: ["backend_error", /called process\.exit\(7\)/],
  exits_later: ["backend_error", /called process\.exit\(7\)/],
  bigint: ["invalid_output", /output_schema/],
  unhandled_rejection: ["backend_error", /rejection nobody handles/],
  throws_in_callback: ["backend_error", /thrown in a timer callback/],
};

let config: string;
beforeAll(async () => {
  config = await writeFaultProject();
});

describe("fault injection over stdio: a misbehaving backend fails its call, the gateway keeps serving", () => {
  let gateway: StdioGateway;
  let rpc: RawStdio;
  beforeAll(async () => {
    gateway = spawnStdioGateway(config);
    rpc = new RawStdio(gateway.child);
    await rpc.initialize();
  });
  afterAll(() => {
    gateway.child.kill("SIGKILL");
  });

  let id = 0;
  for (const [tool, [code, text]] of Object.entries(EXPECTED)) {
    it(`${tool}: answers ${code} and the next call still works`, async () => {
      const call = ++id;
      rpc.send(toolCall(call, tool, { text: "x" }));
      const reply = await rpc.reply(call);
      const result = reply.result as { isError?: boolean; content: { text: string }[] };
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toMatch(new RegExp(`^${code}: `));
      expect(result.content[0]?.text).toMatch(text);
      const next = ++id;
      rpc.send(toolCall(next, "ok", { text: "still here" }));
      expect((await rpc.reply(next)).result?.structuredContent).toEqual({ text: "still here", length: 10 });
      expect(gateway.child.exitCode).toBeNull();
    });
  }

  it("a tools/call and its notifications/cancelled in one write never crash it", async () => {
    for (let round = 0; round < 5; round++) {
      const call = ++id;
      rpc.send(toolCall(call, "rejects_after_cancel", { text: "x" }), {
        method: "notifications/cancelled",
        params: { requestId: call, reason: "changed my mind" },
      });
      // The rejected backend call settles after 150 ms: give it time to surface if unobserved.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const next = ++id;
      rpc.send(toolCall(next, "ok", { text: "alive" }));
      expect((await rpc.reply(next)).result?.isError).toBeUndefined();
    }
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.stderr()).not.toMatch(/stray error caught|ERR_UNHANDLED_REJECTION/);
  });
});

describe("fault injection over streamable HTTP", () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayHttp(config, path.dirname(config));
  });
  afterAll(async () => {
    expect(await gateway.stop()).toBe(0);
  });

  for (const kind of CLIENT_KINDS) {
    it(`${kind}: every fault answers an error result and the gateway keeps serving`, async () => {
      const client = await connectHttp(kind, gateway.url);
      try {
        for (const [tool, [code, text]] of Object.entries(EXPECTED)) {
          const result = await client.callTool(tool, { text: "x" });
          expect(result.isError, tool).toBe(true);
          expect(resultText(result), tool).toMatch(new RegExp(`^${code}: `));
          expect(resultText(result), tool).toMatch(text);
        }
        expect((await client.callTool("ok", { text: "fine" })).structuredContent).toEqual({
          text: "fine",
          length: 4,
        });
      } finally {
        await client.close();
      }
      expect(gateway.child.exitCode).toBeNull();
    });
  }

  it("a 2025 session's tools/call followed at once by notifications/cancelled never crashes it", async () => {
    const withSession = await openLegacySession(gateway.url);
    // A cancelled request's stream may stay open without a reply; the test drops them at the end.
    const drop = new AbortController();
    const post = (body: unknown) =>
      fetch(gateway.url, {
        method: "POST",
        headers: withSession,
        body: JSON.stringify(body),
        signal: drop.signal,
      });
    for (let call = 1; call <= 10; call++) {
      const pending = post({
        jsonrpc: "2.0",
        id: call,
        method: "tools/call",
        params: { name: "rejects_after_cancel", arguments: { text: "x" } },
      })
        .then((response) => response.text())
        .catch(() => "");
      await (
        await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: call } })
      ).text();
      void pending;
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    drop.abort();
    const client = await connectHttp("client-v2", gateway.url);
    try {
      expect((await client.callTool("ok", { text: "alive" })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(gateway.child.exitCode).toBeNull();
  });
});
