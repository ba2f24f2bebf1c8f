import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detect } from "../../src/setup/detect.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";

let llm: FakeLlm;
let models: Server;
let modelsUrl: string;

/** The fake LLM answers /api/tags with no models and has no GET /v1/models: this server has both. */
async function startModelServer(): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/api/tags")
      res.end(JSON.stringify({ models: [{ name: "qwen2.5:7b" }, { name: "nomic-embed-text:latest" }] }));
    else if (req.url === "/v1/models") res.end(JSON.stringify({ data: [{ id: "local-model" }] }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  llm = await startFakeLlm();
  models = await startModelServer();
  modelsUrl = `http://127.0.0.1:${(models.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await llm.close();
  await new Promise<void>((resolve) => models.close(() => resolve()));
});

describe("setup detection", () => {
  it("finds the fake Ollama at OLLAMA_HOST", async () => {
    const found = await detect({ env: { OLLAMA_HOST: llm.url }, openaiServers: [] });
    expect(found.ollama).toMatchObject({ reachable: true, url: llm.url, models: [] });
    expect(llm.requests.some((r) => r.method === "GET" && r.path === "/api/tags")).toBe(true);
  });

  it("lists an Ollama's models and an OpenAI-compatible server's models", async () => {
    const found = await detect({
      env: {},
      ollamaHost: modelsUrl,
      openaiServers: [{ name: "LM Studio", url: `${modelsUrl}/v1` }],
    });
    expect(found.ollama.models).toEqual(["qwen2.5:7b", "nomic-embed-text:latest"]);
    expect(found.openaiServers).toEqual([
      { name: "LM Studio", url: `${modelsUrl}/v1`, reachable: true, models: ["local-model"] },
    ]);
  });

  it("reports keys as present without their value", async () => {
    const found = await detect({
      env: { ANTHROPIC_API_KEY: "sk-ant-secret", OLLAMA_HOST: await closedPort() },
      openaiServers: [],
    });
    expect(found.keys).toEqual({ anthropic: true, openai: false });
    expect(JSON.stringify(found)).not.toContain("sk-ant-secret");
  });

  it("says quickly that nothing is reachable when every port is closed", async () => {
    const started = performance.now();
    const found = await detect({
      env: {},
      ollamaHost: await closedPort(),
      openaiServers: [{ name: "vLLM", url: `${await closedPort()}/v1` }],
      timeoutMs: 1500,
    });
    expect(performance.now() - started).toBeLessThan(1600);
    expect(found.ollama).toMatchObject({ reachable: false, models: [], error: "connection refused" });
    expect(found.openaiServers[0]).toMatchObject({ reachable: false, error: "connection refused" });
  });
});
