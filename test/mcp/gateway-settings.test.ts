/**
 * Claude Desktop and Cursor start `loom mcp` in a working directory of their own: the project's
 * loom.yaml beside (or above) the gateway config must still decide the LLM backends.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FakeLlm } from "../fixtures/fake-llm-server.js";
import { connectStdio, resultText } from "../fixtures/mcp-clients.js";
import { gatewayStdioParams } from "../fixtures/mcp-gateway-process.js";
import { type GatewayProject, startGatewayProject } from "../fixtures/mcp-gateway-project.js";

let llm: FakeLlm;
let project: GatewayProject;
let elsewhere: string;

beforeAll(async () => {
  ({ llm, project } = await startGatewayProject());
  elsewhere = await mkdtemp(path.join(os.tmpdir(), "loom-unrelated-cwd-"));
});

afterAll(async () => {
  await llm.close();
  await rm(project.dir, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
});

it("settings: started from an unrelated folder, the gateway uses the loom.yaml above its config", async () => {
  // No OLLAMA_HOST and no user settings file: only the project's loom.yaml knows the fake LLM.
  const client = await connectStdio(
    "client-v2",
    gatewayStdioParams(project.config, elsewhere, {
      OLLAMA_HOST: "",
      XDG_CONFIG_HOME: elsewhere,
      HOME: elsewhere,
    }),
  );
  try {
    const result = await client.callTool("shout_text", { text: "hello" });
    expect(resultText(result)).not.toMatch(/not reachable/);
    expect(result.structuredContent).toEqual({ shouted: "HELLO!" });
  } finally {
    await client.close();
  }
});
