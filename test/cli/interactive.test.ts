/**
 * The interactive prompts of `loom new worker|pipeline` and `loom setup`, and zsh completion,
 * answered at a real pseudo-terminal (test/fixtures/pty-drive.py): what a user at a terminal sees
 * and gets.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateConfigFile } from "../../src/config/index.js";
import { startFakeLlm } from "../fixtures/fake-llm-server.js";
import { CLI } from "../fixtures/mcp-gateway-process.js";

const DRIVER = path.resolve(import.meta.dirname, "../fixtures/pty-drive.py");
const CONFIGS = path.resolve(import.meta.dirname, "../../configs");

const DOWN = "\u001b[B";

/** Runs `command` in a pseudo-terminal, typing `answers`; returns what the screen showed. */
function inTerminal(cwd: string, answers: string[], command: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; screen: string }>((resolve) => {
    execFile(
      "python3",
      [DRIVER, cwd, JSON.stringify(answers), ...command],
      { env, timeout: 60_000 },
      (error, stdout) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, screen: stdout }),
    );
  });
}

function atTerminal(cwd: string, answers: string[], args: string[], env: NodeJS.ProcessEnv = process.env) {
  return inTerminal(cwd, answers, [process.execPath, CLI, ...args], env);
}

describe("interactive prompts at a terminal", () => {
  it("loom new worker asks for each answer and writes a valid worker", { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "loom-new-tty-"));
    await cp(CONFIGS, path.join(dir, "configs"), { recursive: true });
    const answers = [
      "greeter\r",
      "\r",
      "\r",
      "Greets people\r",
      "name:string\r",
      "\r",
      "greeting:string\r",
      "\r",
      "Greet the person by name.\r",
      "\r",
      "\r",
      "\r",
    ];
    // No $EDITOR: the system prompt is typed at the prompt rather than in an editor.
    const env = { ...process.env, EDITOR: "", VISUAL: "" };
    const { code, screen } = await atTerminal(dir, answers, ["new", "worker"], env);
    expect(screen).toContain("Input field 1 (name:type");
    expect(screen).toContain("wrote configs/workers/greeter.yaml");
    expect(code).toBe(0);
    const file = path.join(dir, "configs", "workers", "greeter.yaml");
    expect(parse(await readFile(file, "utf8"))).toMatchObject({
      name: "greeter",
      system_prompt: "Greet the person by name.\n",
    });
    expect((await validateConfigFile(file)).issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  it("loom setup walks through the wizard with nothing reachable and writes a settings file that says how to fix it", {
    timeout: 90_000,
  }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "loom-setup-tty-"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const settings = path.join(dir, "settings.yaml");
    const env = {
      ...process.env,
      OLLAMA_HOST: `http://127.0.0.1:${port}`,
      ANTHROPIC_API_KEY: "",
      OPENAI_API_KEY: "",
      OPENAI_BASE_URL: "",
    };
    const { code, screen } = await atTerminal(
      dir,
      Array(14).fill("\r"),
      ["setup", "--settings", settings, "--skip-test"],
      env,
    );
    expect(code, screen).toBe(0);
    expect(screen).toContain("Ollama");
    const text = await readFile(settings, "utf8");
    expect(text).toContain("ollama pull");
  });

  it("loom new pipeline adds stages in a loop, offering goal.context and earlier stages' outputs", {
    timeout: 90_000,
  }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "loom-new-pipeline-tty-"));
    const workers = path.join(dir, "configs", "workers");
    await mkdir(workers, { recursive: true });
    for (const file of ["classifier.yaml", "summarizer.yaml"])
      await cp(path.join(CONFIGS, "workers", file), path.join(workers, file));
    const answers = [
      "brief_flow\r",
      "\r", // no description
      "\r", // timeout 300
      "summarize\r",
      `${DOWN}\r`, // worker: summarizer (after classifier)
      "\r", // the worker's default tier
      "\r", // summarize.text ← goal.context.text
      "classify\r",
      "\r", // worker: classifier
      "\r",
      `${DOWN}\r`, // classify.text ← summarize.output.summary
      "\r", // no third stage
    ];
    const env = { ...process.env, EDITOR: "", VISUAL: "" };
    const { code, screen } = await atTerminal(dir, answers, ["new", "pipeline"], env);
    expect(screen).toContain("Workers in configs/workers");
    expect(screen).toMatch(
      /classify\.text reads from[\s│]*● goal\.context\.text[\s│]*○ summarize\.output\.summary/,
    );
    expect(screen).toContain("wrote configs/orchestrators/brief_flow.yaml");
    expect(code, screen).toBe(0);
    const file = path.join(dir, "configs", "orchestrators", "brief_flow.yaml");
    expect(parse(await readFile(file, "utf8"))).toMatchObject({
      name: "brief_flow",
      timeout_seconds: 300,
      pipeline_stages: [
        { name: "summarize", worker_type: "summarizer", input_mapping: { text: "goal.context.text" } },
        { name: "classify", worker_type: "classifier", input_mapping: { text: "summarize.output.summary" } },
      ],
    });
    const issues = (await validateConfigFile(file, { workersDir: workers })).issues;
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  it("loom setup pulls missing models with a progress bar and stores a pasted key only after a yes, never showing it", {
    timeout: 90_000,
  }, async () => {
    await using ollama = await startFakeLlm({ models: [] }); // an Ollama with nothing pulled
    const dir = await mkdtemp(path.join(tmpdir(), "loom-setup-pull-tty-"));
    const settings = path.join(dir, "settings.yaml");
    const env = {
      ...process.env,
      OLLAMA_HOST: ollama.url,
      ANTHROPIC_API_KEY: "",
      OPENAI_API_KEY: "",
      OPENAI_BASE_URL: "",
    };
    const answers = [
      "\r", // pull llama3.2:3b? yes
      "\r", // local: Ollama
      "\r", // local model: llama3.2:3b (now listed)
      `${DOWN}${DOWN}\r`, // standard: Anthropic
      "\r", // its model: the default
      "\r", // frontier: Ollama
      "\r", // frontier model
      "sk-ant-typed-secret\r",
      "\r", // store it? yes
      "\r", // pull nomic-embed-text? yes
    ];
    const { code, screen } = await atTerminal(
      dir,
      answers,
      ["setup", "--settings", settings, "--skip-test"],
      env,
    );
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/Pulling llama3\.2:3b: pulling \w+ \d+%/);
    expect(screen).toContain("Pulled llama3.2:3b");
    expect(screen).toContain("Pulled nomic-embed-text");
    expect(screen).not.toContain("sk-ant-typed-secret");
    const pulls = ollama.requests.filter((r) => r.path === "/api/pull").map((r) => r.model);
    expect(pulls).toEqual(["llama3.2:3b", "nomic-embed-text"]);
    expect((await stat(settings)).mode & 0o777).toBe(0o600);
    expect(parse(await readFile(settings, "utf8"))).toMatchObject({
      tiers: { local: { backend: "ollama", model: "llama3.2:3b" }, standard: { backend: "anthropic" } },
      embedding: { model: "nomic-embed-text" },
      anthropic: { api_key: "sk-ant-typed-secret" },
    });
  });

  it("zsh completes loom's commands and subcommands, from $fpath and when sourced", {
    timeout: 60_000,
  }, async () => {
    const home = await mkdtemp(path.join(tmpdir(), "loom-zsh-"));
    const functions = path.join(home, "functions");
    await mkdir(functions);
    const script = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [CLI, "completion", "zsh"], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    await writeFile(path.join(functions, "_loom"), script);
    await writeFile(path.join(home, "sourced.zsh"), script);
    const setups = {
      fpath: `fpath=(${functions} $fpath)\nautoload -U compinit && compinit -u -D\n`,
      sourced: `autoload -U compinit && compinit -u -D\nsource ${path.join(home, "sourced.zsh")}\n`,
    };
    for (const [how, rc] of Object.entries(setups)) {
      await writeFile(path.join(home, ".zshrc"), `${rc}PS1='%% '\n`);
      const typed = [
        "loom dead-letters re\t",
        "\u0003",
        "loom new pi\t",
        "\u0003",
        "loom --verbose wor\t",
        "\t",
        "\u0003",
        "exit\r",
      ];
      const { screen } = await inTerminal(home, typed, ["zsh", "-i"], { ...process.env, ZDOTDIR: home });
      expect(screen, how).toContain("loom dead-letters replay ");
      expect(screen, how).toContain("loom new pipeline ");
      expect(screen, how).toMatch(/worker\s+workshop/); // two matches: the second Tab lists them
    }
  });
});
