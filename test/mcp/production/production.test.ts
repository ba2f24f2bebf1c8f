import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { assertBindAllowed, bearerAuthGuard, resolveAuthToken } from "../../../src/mcp/production/auth.js";
import { corsHandler } from "../../../src/mcp/production/cors.js";
import { healthHandler } from "../../../src/mcp/production/health.js";
import { InFlight, onShutdownSignals } from "../../../src/mcp/production/shutdown.js";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `handler` on a free loopback port and returns its base URL. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<string> {
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("bearer auth", () => {
  const guarded = async () => {
    const auth = bearerAuthGuard("s3cret-token");
    return serve((req, res) => {
      if (auth(req, res)) res.writeHead(200).end("ok");
    });
  };

  it("answers 401 with a Bearer challenge when the token is missing", async () => {
    const response = await fetch(`${await guarded()}/mcp`, { method: "POST" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="loom-mcp"');
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "Authorization: Bearer",
    );
  });

  it.each([["Bearer wrong-token"], ["Bearer s3cret-token-longer"], ["Basic s3cret-token"], ["s3cret-token"]])(
    "answers 401 invalid_token for %j",
    async (header) => {
      const response = await fetch(`${await guarded()}/mcp`, { headers: { authorization: header } });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    },
  );

  it("lets the right token through (scheme is case-insensitive)", async () => {
    const url = await guarded();
    for (const header of ["Bearer s3cret-token", "bearer s3cret-token"]) {
      const response = await fetch(url, { headers: { authorization: header } });
      expect(response.status).toBe(200);
    }
  });

  it("takes the token from the flag, then the token file, then LOOM_MCP_TOKEN", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "loom-token-"));
    const file = path.join(dir, "token");
    await writeFile(file, "from-file\n");
    const env = { LOOM_MCP_TOKEN: "from-env" };
    expect(await resolveAuthToken({ token: "from-flag", tokenFile: file, env })).toBe("from-flag");
    expect(await resolveAuthToken({ tokenFile: file, env })).toBe("from-file");
    expect(await resolveAuthToken({ env })).toBe("from-env");
    expect(await resolveAuthToken({ env: {} })).toBeUndefined();
    await writeFile(file, "  \n");
    await expect(resolveAuthToken({ tokenFile: file })).rejects.toThrow(/empty/);
    await expect(resolveAuthToken({ tokenFile: path.join(dir, "missing") })).rejects.toThrow(/cannot read/);
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a non-loopback bind without a token, saying how to set one", () => {
    expect(() => assertBindAllowed("0.0.0.0", undefined)).toThrow(/--auth-token.*LOOM_MCP_TOKEN/s);
    expect(() => assertBindAllowed("192.168.1.5", undefined)).toThrow(/refusing to serve MCP on 192.168.1.5/);
    expect(() => assertBindAllowed("0.0.0.0", "t")).not.toThrow();
    expect(() => assertBindAllowed("127.0.0.1", undefined)).not.toThrow();
    expect(() => assertBindAllowed("localhost", undefined)).not.toThrow();
    for (const host of [
      "127.0.0.2",
      "127.255.255.254",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
    ]) {
      expect(() => assertBindAllowed(host, undefined)).not.toThrow();
    }
    for (const host of ["127.evil.invalid", "1270.0.0.1", "::2", "::ffff:10.0.0.1", "128.0.0.1"]) {
      expect(() => assertBindAllowed(host, undefined)).toThrow(/without an auth token/);
    }
  });
});

describe("health endpoints", () => {
  it("answers /healthz always and /readyz by its checks", async () => {
    let natsUp = false;
    const health = healthHandler([
      { name: "config", check: () => ({ ok: true }) },
      { name: "nats", check: () => ({ ok: natsUp, detail: natsUp ? "connected" : "disconnected" }) },
    ]);
    const url = await serve(async (req, res) => {
      if (!(await health(req, res))) res.writeHead(404).end();
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: "not_ready",
      checks: { config: { ok: true }, nats: { ok: false, detail: "disconnected" } },
    });
    natsUp = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/mcp`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`, { method: "POST" })).status).toBe(405);
  });
});

describe("cors", () => {
  it("answers preflights for allowed origins and exposes Mcp-Session-Id", async () => {
    const cors = corsHandler({ origins: ["https://app.example"] });
    const url = await serve((req, res) => {
      if (!cors(req, res)) res.writeHead(200, { "mcp-session-id": "abc" }).end();
    });
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Mcp-Session-Id");
    const simple = await fetch(url, { headers: { origin: "https://app.example" } });
    expect(simple.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(simple.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    const foreign = await fetch(url, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("shutdown", () => {
  it("waits for work in flight, bounded", async () => {
    const inFlight = new InFlight();
    const done = inFlight.begin();
    expect(await inFlight.drained(20)).toBe(false);
    const waiting = inFlight.drained(5_000);
    done();
    done();
    expect(await waiting).toBe(true);
    expect(inFlight.size).toBe(0);
  });

  it("runs the shutdown once on the first signal and exits at once on the second", async () => {
    const exits: number[] = [];
    let release: () => void = () => {};
    const shutdowns: string[] = [];
    const off = onShutdownSignals(
      (signal) => {
        shutdowns.push(signal);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      { signals: ["SIGUSR2"], exit: (code) => exits.push(code) },
    );
    process.emit("SIGUSR2", "SIGUSR2");
    process.emit("SIGUSR2", "SIGUSR2");
    expect(shutdowns).toEqual(["SIGUSR2"]);
    expect(exits).toEqual([130]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([130, 0]);
    off();
  });
});
