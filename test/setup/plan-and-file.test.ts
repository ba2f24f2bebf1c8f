import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, parseSettings } from "../../src/llm/settings.js";
import { choosePlan } from "../../src/setup/choose.js";
import type { Detection } from "../../src/setup/detect.js";
import {
  NOTHING_FOUND_COMMENT,
  readSettingsText,
  renderSettings,
  writeSettingsFile,
} from "../../src/setup/settings-file.js";

const nothing: Detection = {
  ollama: { name: "Ollama", url: "http://localhost:11434", reachable: false, models: [] },
  openaiServers: [{ name: "LM Studio", url: "http://localhost:1234/v1", reachable: false, models: [] }],
  keys: { anthropic: false, openai: false },
};
const withOllama: Detection = {
  ...nothing,
  ollama: { ...nothing.ollama, reachable: true, models: ["llama3.2:3b", "nomic-embed-text:latest"] },
};

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "loom-setup-file-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("setup plan", () => {
  it("puts local on Ollama llama3.2:3b and the upper tiers on Anthropic when its key is set", () => {
    const plan = choosePlan({ ...withOllama, keys: { anthropic: true, openai: true } });
    expect(plan.tiers.local).toEqual({ backend: "ollama", model: "llama3.2:3b" });
    expect(plan.tiers.standard).toEqual({ backend: "anthropic", model: "claude-sonnet-4-5" });
    expect(plan.tiers.frontier.backend).toBe("anthropic");
    expect(plan.embeddingModel).toBe("nomic-embed-text:latest");
    expect(plan.nothingFound).toBe(false);
  });

  it("uses an OpenAI-compatible server's first model when Ollama is not there, for every tier", () => {
    const plan = choosePlan({
      ...nothing,
      openaiServers: [
        { name: "LM Studio", url: "http://localhost:1234/v1", reachable: true, models: ["qwen"] },
      ],
    });
    for (const tier of ["local", "standard", "frontier"] as const) {
      expect(plan.tiers[tier]).toEqual({
        backend: "openai",
        model: "qwen",
        baseUrl: "http://localhost:1234/v1",
      });
    }
  });

  it("flags win over detection", () => {
    const plan = choosePlan(withOllama, {
      localModel: "qwen2.5:7b",
      frontierBackend: "openai",
      frontierModel: "gpt-4.1",
    });
    expect(plan.tiers.local.model).toBe("qwen2.5:7b");
    expect(plan.tiers.frontier).toEqual({ backend: "openai", model: "gpt-4.1" });
  });

  it("finding nothing still gives a plan that loads (Ollama defaults) and says so", () => {
    const plan = choosePlan(nothing);
    expect(plan.nothingFound).toBe(true);
    const text = renderSettings(plan);
    expect(text).toContain("ollama pull llama3.2:3b");
    expect(parseSettings(text, "s.yaml").tiers.local).toEqual({ backend: "ollama", model: "llama3.2:3b" });
  });
});

describe("setup settings file", () => {
  it("keeps the user's comments and other keys, changing only what setup manages", () => {
    const existing = [
      "# my own settings",
      "retry: { max_attempts: 2 } # fewer retries",
      "tiers:",
      "  local:",
      "    backend: ollama",
      "    model: tinyllama # old",
      "    structured_output: false",
      "",
    ].join("\n");
    const text = renderSettings(choosePlan(withOllama), existing);
    expect(text).toContain("# my own settings");
    expect(text).toContain("# fewer retries");
    const settings = parseSettings(text, "s.yaml");
    expect(settings.retry).toEqual({ maxAttempts: 2 });
    expect(settings.tiers.local).toEqual({
      backend: "ollama",
      model: "llama3.2:3b",
      structuredOutput: false,
    });
    expect(text).not.toContain(NOTHING_FOUND_COMMENT);
  });

  it("writes atomically; a file holding a key is mode 0600 and loads with loadSettings", async () => {
    const file = path.join(tmp, "nested", "settings.yaml");
    const plan = choosePlan({ ...withOllama, keys: { anthropic: true, openai: false } });
    plan.keys.anthropic = "sk-ant-test";
    await writeSettingsFile(file, renderSettings(plan, await readSettingsText(file)));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const settings = await loadSettings({ cwd: tmp, env: {}, userSettingsPath: file });
    expect(settings.anthropic.apiKey).toBe("sk-ant-test");
    expect(settings.tiers.standard?.backend).toBe("anthropic");
  });
});
