/**
 * Request checks in front of the HTTP endpoint: Host and Origin validation against DNS rebinding
 * (the MCP spec's security warning for local servers), Content-Type, and reading a bounded JSON
 * body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import os from "node:os";
import { hostHeaderValidation, originValidation } from "@modelcontextprotocol/node";

/** Largest request body read. @default 4 MiB, the SDK's own default */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** True for hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  // A real address check: "127.evil.invalid" starts with "127." but is a name anyone can point anywhere.
  const family = isIP(bare);
  if (family === 4) return bare.split(".")[0] === "127";
  if (family === 6) return /^(0{0,4}:){2,7}0{0,3}1$|^::1$/i.test(bare) || /^::ffff:127\./i.test(bare);
  return false;
}

/**
 * The hostnames a request's Host (and a browser's Origin) may name: loopback names, the bound
 * host, and — when bound to every interface — this machine's name and addresses.
 */
export function allowedHostnames(bindHost: string, extra: readonly string[] = []): string[] {
  const names = new Set([...LOOPBACK_NAMES, ...extra]);
  const wildcard = bindHost === "0.0.0.0" || bindHost === "::" || bindHost === "[::]";
  if (!wildcard) names.add(bindHost.includes(":") && !bindHost.startsWith("[") ? `[${bindHost}]` : bindHost);
  else {
    names.add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) {
      for (const address of list ?? []) {
        names.add(address.family === "IPv6" ? `[${address.address}]` : address.address);
      }
    }
  }
  return [...names];
}

/**
 * A guard that answers 403 itself and returns false for a foreign Host or Origin. With
 * `anyOrigin` (CORS open to every origin) only the Host is checked.
 */
export function hostAndOriginGuard(
  hostnames: readonly string[],
  options: { anyOrigin?: boolean } = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const host = hostHeaderValidation([...hostnames]);
  const origin = originValidation([...hostnames]);
  return options.anyOrigin ? host : (req, res) => host(req, res) && origin(req, res);
}

/** True when the request's declared Content-Length already exceeds `limitBytes`. */
export function declaresTooLargeBody(req: IncomingMessage, limitBytes: number): boolean {
  const length = Number(req.headers["content-length"]);
  return Number.isFinite(length) && length > limitBytes;
}

/** Writes a JSON-RPC error response with an HTTP status. */
export function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

// How much of an over-limit body is read and dropped so that its client can receive the 413.
const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/** The outcome of reading a POST body. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/**
 * Reads and parses a JSON body of at most `limitBytes`. A larger body is read to its end without
 * being kept (so the client gets its 413), up to 16 MiB more; past that the request is destroyed. Rejects when the request fails or closes before its end.
 */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  // Plain events rather than `for await`: the async iterator costs more than the JSON parse of a
  // typical tool call.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limitBytes) {
        // Keep reading (and dropping) the rest: a chunked body declares no length, and destroying
        // the request mid-body resets the connection instead of answering 413. A body larger than
        // DISCARD_LIMIT_BYTES on top of the limit is cut off.
        chunks.length = 0;
        if (size > limitBytes + DISCARD_LIMIT_BYTES) {
          cleanup();
          req.destroy();
          resolve(tooLarge);
        }
        return;
      }
      chunks.push(buffer);
    };
    const tooLarge: BodyResult = {
      ok: false,
      status: 413,
      message: `request body larger than ${limitBytes} bytes`,
    };
    const onEnd = (): void => {
      cleanup();
      if (size > limitBytes) {
        resolve(tooLarge);
        return;
      }
      const text =
        chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
      try {
        resolve({ ok: true, value: JSON.parse(text) as unknown });
      } catch {
        resolve({ ok: false, status: 400, message: "Parse error: the request body is not valid JSON" });
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    };
    if (req.destroyed) {
      onClose();
      return;
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
