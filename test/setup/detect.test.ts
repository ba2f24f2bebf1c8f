import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detect } from "../../src/setup/detect.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { freePort } from "../fixtures/free-port.js";

let fresh: FakeLlm;
let stocked: FakeLlm;

beforeAll(async () => {
  fresh = await startFakeLlm({ models: [] }); // an Ollama with nothing pulled yet
  stocked = await startFakeLlm({ models: ["qwen2.5:7b", "nomic-embed-text:latest"] });
});

afterAll(async () => {
  await fresh.close();
  await stocked.close();
});

describe("setup detection", () => {
  it("finds the fake Ollama at OLLAMA_HOST", async () => {
    const found = await detect({ env: { OLLAMA_HOST: fresh.url }, openaiServers: [] });
    expect(found.ollama).toMatchObject({ reachable: true, url: fresh.url, models: [] });
    expect(fresh.requests.some((r) => r.method === "GET" && r.path === "/api/tags")).toBe(true);
  });

  it("lists an Ollama's models and an OpenAI-compatible server's models", async () => {
    const found = await detect({
      env: {},
      ollamaHost: stocked.url,
      openaiServers: [{ name: "LM Studio", url: `${stocked.url}/v1` }],
    });
    expect(found.ollama.models).toEqual(["qwen2.5:7b", "nomic-embed-text:latest"]);
    expect(found.openaiServers).toEqual([
      {
        name: "LM Studio",
        url: `${stocked.url}/v1`,
        reachable: true,
        models: ["qwen2.5:7b", "nomic-embed-text:latest"],
      },
    ]);
  });

  it("reports keys as present without their value", async () => {
    const found = await detect({
      env: { ANTHROPIC_API_KEY: "sk-ant-secret", OLLAMA_HOST: `http://127.0.0.1:${await freePort()}` },
      openaiServers: [],
    });
    expect(found.keys).toEqual({ anthropic: true, openai: false });
    expect(JSON.stringify(found)).not.toContain("sk-ant-secret");
  });

  it("says quickly that nothing is reachable when every port is closed", async () => {
    const started = performance.now();
    const found = await detect({
      env: {},
      ollamaHost: `http://127.0.0.1:${await freePort()}`,
      openaiServers: [{ name: "vLLM", url: `http://127.0.0.1:${await freePort()}/v1` }],
      timeoutMs: 1500,
    });
    expect(performance.now() - started).toBeLessThan(1600);
    expect(found.ollama).toMatchObject({ reachable: false, models: [], error: "connection refused" });
    expect(found.openaiServers[0]).toMatchObject({ reachable: false, error: "connection refused" });
  });
});
