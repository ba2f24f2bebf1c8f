/**
 * `tools/list` is answered from the SDK's own answer, computed once per tool set (#18): every
 * later list, on any session and either protocol era, must be that same answer, and a hot swap
 * must never leave a client with the previous set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createToolServer,
  type HttpHandle,
  type LoomMcpServer,
  runStreamableHttp,
  silentLogger,
  type ToolSpec,
} from "../../src/mcp/index.js";
import { CLIENT_KINDS, connectHttp, type TestClient } from "../fixtures/mcp-clients.js";
import { echoTools, ToolProbe } from "../fixtures/mcp-echo-tools.js";

/** A tool whose output schema has no `type`: the SDK adds `type: object` when it lists it. */
const typeless: ToolSpec = {
  name: "typeless_output",
  description: "Lists with an output schema the SDK has to complete.",
  inputSchema: { type: "object", properties: { q: { type: "string" } } },
  outputSchema: { properties: { hits: { type: "integer" } }, required: ["hits"] },
  annotations: { title: "Typeless output", readOnlyHint: true },
  run: async () => ({ ok: true, output: { hits: 1 } }),
};

let server: LoomMcpServer;
let http: HttpHandle;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = createToolServer({
    info: { name: "list-cache", version: "1.0.0" },
    tools: [...echoTools(new ToolProbe()), typeless],
    logger: silentLogger,
  });
  http = await runStreamableHttp(server, { port: 0 });
  for (const kind of [...CLIENT_KINDS, ...CLIENT_KINDS]) clients.push(await connectHttp(kind, http.url));
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await http.close();
  await server.close();
});

describe("tools/list answered once per tool set", () => {
  it("gives every session of both eras the SDK's answer, list after list", async () => {
    const first = await clients[0]?.listTools();
    expect(first?.map((t) => t.name)).toEqual([
      "echo",
      "steps",
      "wait",
      "fail",
      "explode",
      "typeless_output",
    ]);
    const listed = first?.find((t) => t.name === "typeless_output") as unknown as Record<string, unknown>;
    expect(listed.title).toBe("Typeless output");
    expect(listed.inputSchema).toEqual({ type: "object", properties: { q: { type: "string" } } });
    expect(listed.outputSchema).toMatchObject({ type: "object", required: ["hits"] });
    for (const client of clients) {
      expect(await client.listTools()).toEqual(first);
      expect(await client.listTools()).toEqual(first);
    }
  });

  it("lists the new set on every session right after a swap, and the old one never again", async () => {
    await clients[0]?.listTools();
    const [echo] = echoTools(new ToolProbe());
    server.swapTools([echo as ToolSpec, { ...typeless, name: "renamed" }]);
    for (const client of clients) {
      expect((await client.listTools()).map((t) => t.name)).toEqual(["echo", "renamed"]);
    }
    server.swapTools([typeless]);
    for (const client of clients) {
      expect((await client.listTools()).map((t) => t.name)).toEqual(["typeless_output"]);
    }
  });
});
