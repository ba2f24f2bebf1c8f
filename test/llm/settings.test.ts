import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSettings } from "../../src/llm/settings.js";
import { resolveTier } from "../../src/llm/tiers.js";

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-settings-"));
  home = path.join(dir, "home-settings.yaml");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = (env: NodeJS.ProcessEnv = {}) => loadSettings({ cwd: dir, env, userSettingsPath: home });

describe("settings and tiers", () => {
  it("defaults: local is Ollama llama3.2:3b on localhost:11434", async () => {
    const local = resolveTier("local", await load());
    expect([local.backend.kind, local.backend.url, local.model]).toEqual([
      "ollama",
      "http://localhost:11434",
      "llama3.2:3b",
    ]);
  });

  it("standard and frontier use Anthropic when ANTHROPIC_API_KEY is set", async () => {
    const settings = await load({ ANTHROPIC_API_KEY: "sk-ant" });
    expect(resolveTier("standard", settings).backend.kind).toBe("anthropic");
    expect(resolveTier("frontier", settings).backend.kind).toBe("anthropic");
  });

  it("a tier with no usable backend is a config_error naming the settings to add", async () => {
    const settings = await load();
    expect(() => resolveTier("standard", settings)).toThrow(
      expect.objectContaining({
        code: "config_error",
        message:
          "no LLM backend for tier standard: set ANTHROPIC_API_KEY, or OPENAI_BASE_URL (+ OPENAI_API_KEY), " +
          "or configure tiers.standard in loom.yaml",
      }),
    );
  });

  it("OPENAI_BASE_URL alone serves standard through an OpenAI-compatible server once a model is named", async () => {
    const unnamed = await load({ OPENAI_BASE_URL: "http://localhost:8000/v1" });
    expect(() => resolveTier("standard", unnamed)).toThrow(/LOOM_STANDARD_MODEL/);
    const named = await load({ OPENAI_BASE_URL: "http://localhost:8000/v1", LOOM_STANDARD_MODEL: "qwen" });
    const standard = resolveTier("standard", named);
    expect([standard.backend.kind, standard.backend.url, standard.model]).toEqual([
      "openai",
      "http://localhost:8000/v1",
      "qwen",
    ]);
  });

  it("loom.yaml in the project wins over the user settings file; env wins over both", async () => {
    await writeFile(home, "tiers:\n  local: { backend: ollama, model: from-home }\n");
    expect(resolveTier("local", await load()).model).toBe("from-home");
    await writeFile(
      path.join(dir, "loom.yaml"),
      "ollama: { host: 'http://gpu-box:11434' }\ntiers:\n  local: { backend: ollama, model: from-project }\n",
    );
    const fromProject = resolveTier("local", await load());
    expect([fromProject.model, fromProject.backend.url]).toEqual(["from-project", "http://gpu-box:11434"]);
    const fromEnv = resolveTier(
      "local",
      await load({ LOOM_LOCAL_MODEL: "from-env", OLLAMA_HOST: "10.0.0.5:11434" }),
    );
    expect([fromEnv.model, fromEnv.backend.url]).toEqual(["from-env", "http://10.0.0.5:11434"]);
  });

  it("without loom.yaml in cwd, the project's loom.yaml is found from a config file's folder upward", async () => {
    const project = path.join(dir, "project");
    await mkdir(path.join(project, "configs", "mcp"), { recursive: true });
    await writeFile(
      path.join(project, "loom.yaml"),
      "tiers:\n  local: { backend: ollama, model: from-project }\n",
    );
    await writeFile(home, "tiers:\n  local: { backend: ollama, model: from-home }\n");
    const elsewhere = path.join(dir, "elsewhere");
    await mkdir(elsewhere);
    const settings = await loadSettings({
      cwd: elsewhere,
      env: {},
      userSettingsPath: home,
      configFile: path.join(project, "configs", "mcp", "server.yaml"),
    });
    expect(resolveTier("local", settings).model).toBe("from-project");
  });

  it("LOOM_<TIER>_BACKEND switches a tier's backend", async () => {
    const settings = await load({ LOOM_LOCAL_BACKEND: "anthropic", ANTHROPIC_API_KEY: "k" });
    const local = resolveTier("local", settings);
    expect([local.backend.kind, local.model]).toEqual(["anthropic", "claude-haiku-4-5"]);
  });

  it("a malformed settings file is a config_error naming the file and key", async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "loom.yaml"), "tiers:\n  local: { backend: olama }\n");
    await expect(load()).rejects.toMatchObject({
      code: "config_error",
      message: expect.stringMatching(/loom\.yaml: tiers\.local\.backend: unknown backend "olama"/),
    });
  });
});
