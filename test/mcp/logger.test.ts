import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const LOGGER = fileURLToPath(new URL("../../dist/mcp/logger.js", import.meta.url));

/** Logs a reload failure from a child process (the logger writes to file descriptor 2) and returns stderr. */
function logReloadFailure(env: Record<string, string>): Promise<string> {
  const script =
    `const { createStderrLogger } = await import(${JSON.stringify(LOGGER)});` +
    "createStderrLogger().error({ config: 'gw.yaml', issue_count: 1 }, " +
    "'config reload failed; still serving the previous 3 tools:\\n  workers/a.yaml:4:3  system_prompt  required field');";
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { env: { ...process.env, ...env } },
      (error, _stdout, stderr) => (error ? reject(error) : resolve(stderr)),
    );
  });
}

describe("the gateway's stderr log", () => {
  it("is readable by default: reload issues appear as file:line:col  path  message lines", async () => {
    const stderr = await logReloadFailure({ LOOM_LOG_FORMAT: "" });
    expect(stderr).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} ERROR config reload failed; still serving the previous 3 tools:$/m,
    );
    expect(stderr).toMatch(
      /^ {2}workers\/a\.yaml:4:3 {2}system_prompt {2}required field {2}config=gw\.yaml issue_count=1$/m,
    );
  });

  it("is one JSON object a line with LOOM_LOG_FORMAT=json", async () => {
    const stderr = await logReloadFailure({ LOOM_LOG_FORMAT: "json" });
    expect(JSON.parse(stderr.trim())).toMatchObject({ level: 50, config: "gw.yaml", issue_count: 1 });
  });

  it("says so when LOOM_LOG_FORMAT is not understood", async () => {
    expect(await logReloadFailure({ LOOM_LOG_FORMAT: "yaml" })).toMatch(
      /LOOM_LOG_FORMAT=yaml is not understood/,
    );
  });
});
