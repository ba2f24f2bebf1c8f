/** `loom workshop` as a user starts it: the built CLI in a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeLlm } from "../fixtures/fake-llm-server.js";
import { CLI } from "../fixtures/mcp-gateway-process.js";
import { writeWorkshopProject } from "../fixtures/workshop-project.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function startCli(args: string[], cwd: string) {
  const child = spawn(process.execPath, [CLI, "workshop", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /at (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  url.catch(() => {}); // a test that expects the process to fail never awaits its URL
  return { child, url, exited, stderr: () => stderr, stdout: () => stdout };
}

describe("loom workshop", () => {
  it("prints its localhost URL, serves the workers page, and stops cleanly on SIGTERM", async () => {
    const llm = await startFakeLlm();
    try {
      const project = await writeWorkshopProject(llm.url);
      const cli = startCli(["--port", "0"], project.dir);
      const url = await cli.url;
      expect(url).toMatch(/^http:\/\/localhost:\d+$/);
      const page = await (await fetch(`${url}/workers`)).text();
      expect(page).toContain("entity_extractor");
      expect(page).toContain("broken");
      // Every asset the page names is served by the Workshop itself.
      for (const asset of ["/assets/htmx.min.js", "/assets/workshop.js", "/assets/workshop.css"]) {
        expect(page).toContain(asset);
        expect((await fetch(`${url}${asset}`)).status).toBe(200);
      }
      expect(cli.stdout()).toBe("");
      cli.child.kill("SIGTERM");
      expect(await cli.exited).toBe(0);
    } finally {
      await llm.close();
    }
  });

  it("says what is wrong when the configs folder does not exist", async () => {
    const cli = startCli(["--port", "0", "--configs", "no-such-folder"], "/tmp");
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain("configs folder");
    expect(cli.stderr()).toContain("does not exist");
  });
});
