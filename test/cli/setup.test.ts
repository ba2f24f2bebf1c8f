/**
 * `loom setup` as a user runs it: the built CLI (`node dist/cli/main.js`) in a child process, with
 * the fake LLM server standing in for Ollama (and Anthropic). When dist/ is missing this file builds it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadSettings } from "../../src/llm/settings.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { freePort } from "../fixtures/free-port.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist/cli/main.js");

let tmp: string;
let llm: FakeLlm;
let closed: string;

/** The environment of a machine with no keys and Ollama at `ollamaHost`. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: tmp, ...extra };
  for (const name of Object.keys(env)) {
    if (/^(ANTHROPIC_|OPENAI_|LOOM_(LOCAL|STANDARD|FRONTIER)_)/.test(name) && !(name in extra))
      delete env[name];
  }
  return env;
}

async function loom(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      cwd: tmp,
      env,
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    return { code: e.killed ? -9 : (e.code ?? -1), stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  if (!existsSync(CLI)) await run("npm", ["run", "build"], { cwd: ROOT });
  tmp = await mkdtemp(path.join(tmpdir(), "loom-setup-cli-"));
  llm = await startFakeLlm();
  closed = `http://127.0.0.1:${await freePort()}`;
}, 120_000);

beforeEach(() => llm.reset());

afterAll(async () => {
  await llm.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("loom setup", () => {
  it("--non-interactive with Ollama at OLLAMA_HOST writes a file with local on Ollama and tests it", async () => {
    const file = path.join(tmp, "ollama.yaml");
    const result = await loom(
      ["setup", "--non-interactive", "--settings", file],
      cleanEnv({ OLLAMA_HOST: llm.url }),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const settings = await loadSettings({ cwd: tmp, env: {}, userSettingsPath: file });
    expect(settings.tiers.local).toEqual({ backend: "ollama", model: "llama3.2:3b" });
    expect(settings.ollama.host).toBe(llm.url);
    const chats = llm.chatRequests();
    expect(chats.length).toBeGreaterThan(0);
    expect(chats[0]).toMatchObject({ protocol: "ollama", path: "/api/chat", model: "llama3.2:3b" });
    expect(result.stdout).toMatch(/local: ok \(ollama llama3\.2:3b, \d+ ms\)/);
    expect(result.stdout).toContain("loom validate --all");
  });

  it("with no LLM reachable and no keys exits 0 and the file says how to fix it", async () => {
    const file = path.join(tmp, "nothing.yaml");
    const result = await loom(
      ["setup", "--non-interactive", "--settings", file],
      cleanEnv({ OLLAMA_HOST: closed }),
    );
    expect(result.code).toBe(0);
    const text = await readFile(file, "utf8");
    expect(text).toContain("found no LLM");
    expect(text).toContain("ollama serve && ollama pull llama3.2:3b");
    expect(text).toContain("ANTHROPIC_API_KEY");
    expect((await loadSettings({ cwd: tmp, env: {}, userSettingsPath: file })).tiers.local?.backend).toBe(
      "ollama",
    );
  });

  it("keeps the comments and unrelated keys of an existing file", async () => {
    const file = path.join(tmp, "existing.yaml");
    await writeFile(file, "# hand-written, keep me\nretry:\n  max_attempts: 7 # patient\n");
    const result = await loom(
      ["setup", "--non-interactive", "--skip-test", "--settings", file],
      cleanEnv({ OLLAMA_HOST: llm.url }),
    );
    expect(result.code).toBe(0);
    const text = await readFile(file, "utf8");
    expect(text).toContain("# hand-written, keep me");
    expect(text).toContain("# patient");
    const settings = await loadSettings({ cwd: tmp, env: {}, userSettingsPath: file });
    expect(settings.retry?.maxAttempts).toBe(7);
    expect(settings.tiers.local?.backend).toBe("ollama");
    expect(llm.chatRequests()).toHaveLength(0);
  });

  it("stores a key from the environment only with --save-keys, mode 0600, never printing it", async () => {
    const key = "sk-ant-never-print-me-123";
    const file = path.join(tmp, "keys.yaml");
    const env = cleanEnv({ OLLAMA_HOST: llm.url, ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: llm.url });
    const result = await loom(["setup", "--non-interactive", "--save-keys", "--settings", file], env);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(key);
    expect(result.stdout).toContain("ANTHROPIC_API_KEY: set in the environment");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const settings = await loadSettings({ cwd: tmp, env: {}, userSettingsPath: file });
    expect(settings.anthropic.apiKey).toBe(key);
    expect(settings.tiers.standard?.backend).toBe("anthropic");
    expect(llm.chatRequests().some((r) => r.protocol === "anthropic")).toBe(true);

    const without = path.join(tmp, "no-keys.yaml");
    await loom(["setup", "--non-interactive", "--skip-test", "--settings", without], env);
    expect(await readFile(without, "utf8")).not.toContain(key);
  });

  it("without a terminal and without --non-interactive it asks nothing and finishes", async () => {
    const file = path.join(tmp, "no-tty.yaml");
    const result = await loom(
      ["setup", "--skip-test", "--settings", file],
      cleanEnv({ OLLAMA_HOST: llm.url }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote ${file}`);
    expect((await loadSettings({ cwd: tmp, env: {}, userSettingsPath: file })).tiers.local?.model).toBe(
      "llama3.2:3b",
    );
  });

  it("writes the user settings file under XDG_CONFIG_HOME by default", async () => {
    const result = await loom(
      ["setup", "--non-interactive", "--skip-test"],
      cleanEnv({ OLLAMA_HOST: llm.url }),
    );
    expect(result.code).toBe(0);
    expect(existsSync(path.join(tmp, "loom", "settings.yaml"))).toBe(true);
  });
});
