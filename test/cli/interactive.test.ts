/**
 * The interactive prompts of `loom new worker` and `loom setup`, answered at a real pseudo-terminal
 * (test/fixtures/pty-drive.py): what a user at a terminal sees and gets.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateConfigFile } from "../../src/config/index.js";
import { CLI } from "../fixtures/mcp-gateway-process.js";

const DRIVER = path.resolve(import.meta.dirname, "../fixtures/pty-drive.py");
const CONFIGS = path.resolve(import.meta.dirname, "../../configs");

function atTerminal(cwd: string, answers: string[], args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; screen: string }>((resolve) => {
    execFile(
      "python3",
      [DRIVER, cwd, JSON.stringify(answers), process.execPath, CLI, ...args],
      { env, timeout: 60_000 },
      (error, stdout) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, screen: stdout }),
    );
  });
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
});
