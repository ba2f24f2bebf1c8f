import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OllamaEmbeddingProvider } from "../../src/worker/ollama-embeddings.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => llm.reset());

describe("OllamaEmbeddingProvider", () => {
  it("embeds a batch in one /api/embed request and learns the dimensions from it", async () => {
    const provider = new OllamaEmbeddingProvider({ baseUrl: llm.url, model: "nomic-embed-text" });
    expect(provider.dimensions).toBeUndefined();
    llm.enqueue({
      embeddings: [
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
        [0.7, 0.8, 0.9],
      ],
    });
    const vectors = await provider.embedBatch(["text1", "text2", "text3"]);
    expect(vectors).toEqual([
      [0.1, 0.2, 0.3],
      [0.4, 0.5, 0.6],
      [0.7, 0.8, 0.9],
    ]);
    expect(provider.dimensions).toBe(3);
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]).toMatchObject({
      path: "/api/embed",
      body: { model: "nomic-embed-text", input: ["text1", "text2", "text3"] },
    });
  });

  it("embeds a single text to one vector", async () => {
    const provider = new OllamaEmbeddingProvider({ baseUrl: llm.url });
    const vector = await provider.embed("Some text to embed");
    expect(vector).toHaveLength(8);
    expect(await provider.embed("Some text to embed")).toEqual(vector);
    expect(llm.requests[0]?.model).toBe("nomic-embed-text");
  });

  it("reports a missing model with the backend's own words", async () => {
    const provider = new OllamaEmbeddingProvider({ baseUrl: llm.url, model: "nope" });
    llm.enqueue({ status: 404, message: 'model "nope" not found, try pulling it first', endpoint: "embed" });
    await expect(provider.embed("x")).rejects.toMatchObject({
      code: "llm_error",
      message: expect.stringContaining('model "nope" not found'),
    });
  });

  it("takes the guide's option and method names: base_url and embed_batch", async () => {
    const provider = new OllamaEmbeddingProvider({
      model: "nomic-embed-text",
      base_url: llm.url,
      retry: { maxAttempts: 1 },
    });
    expect(provider.baseUrl).toBe(llm.url);
    const vectors = await provider.embed_batch(["text1", "text2", "text3"]);
    expect(vectors).toHaveLength(3);
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]).toMatchObject({
      path: "/api/embed",
      body: { input: ["text1", "text2", "text3"] },
    });
  });

  it("rejects an unknown option with a did-you-mean instead of ignoring it", () => {
    const options = { baseURL: llm.url } as unknown as ConstructorParameters<
      typeof OllamaEmbeddingProvider
    >[0];
    expect(() => new OllamaEmbeddingProvider(options)).toThrow(
      /unknown option 'baseURL' — did you mean 'baseUrl'\?/,
    );
    expect(() => new OllamaEmbeddingProvider({ baseUrl: llm.url, base_url: "http://elsewhere:1" })).toThrow(
      /disagree/,
    );
  });
});
