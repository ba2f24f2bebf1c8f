/**
 * Bearer-token auth for the HTTP transport (issue 8): one shared token, from `--auth-token`, a
 * token file (`--auth-token-file`) or `LOOM_MCP_TOKEN`. Requests without it get 401 with a
 * `WWW-Authenticate: Bearer` challenge (RFC 6750); tokens are compared in constant time. Binding
 * to a non-loopback interface without a token is refused at start-up.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoomError } from "../../errors.js";
import { isLoopbackHost } from "../http-guards.js";

/** Environment variable holding the token. */
export const AUTH_TOKEN_ENV = "LOOM_MCP_TOKEN";

/** Where a token may come from; the first one set wins, in this order. */
export interface AuthTokenSources {
  /** `--auth-token`. */
  token?: string;
  /** `--auth-token-file`: the file's content, trimmed. */
  tokenFile?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The token to require, or undefined when none is configured. Throws LoomError `config_error`
 * for an unreadable or empty token file, or an empty token.
 *
 * @example const token = await resolveAuthToken({ token: opts.authToken, tokenFile: opts.authTokenFile });
 */
export async function resolveAuthToken(sources: AuthTokenSources = {}): Promise<string | undefined> {
  const check = (token: string, from: string): string => {
    const trimmed = token.trim();
    assertUsableToken(trimmed, from);
    return trimmed;
  };
  if (sources.token !== undefined) return check(sources.token, "--auth-token");
  if (sources.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(sources.tokenFile, "utf8");
    } catch (cause) {
      throw new LoomError(
        "config_error",
        `cannot read the auth token file ${sources.tokenFile}: ${String(cause)}`,
        {
          cause,
          details: { file: sources.tokenFile },
        },
      );
    }
    return check(text, `the file ${sources.tokenFile}`);
  }
  const fromEnv = (sources.env ?? process.env)[AUTH_TOKEN_ENV];
  return fromEnv === undefined || fromEnv === "" ? undefined : check(fromEnv, AUTH_TOKEN_ENV);
}

/**
 * Refuses a token that no client could ever send: an empty one, or one with whitespace inside
 * (a client sends `Authorization: Bearer <token>`, and a token ends at the first space). Throws
 * LoomError `config_error` naming where the token came from.
 */
export function assertUsableToken(token: string, from = "authToken"): void {
  if (token.trim() === "") throw new LoomError("config_error", `the auth token from ${from} is empty`);
  if (/\s/.test(token)) {
    throw new LoomError(
      "config_error",
      `the auth token from ${from} contains whitespace, so no client could ever send it in ` +
        `"Authorization: Bearer <token>"; use a token of printable characters without spaces`,
    );
  }
}

/**
 * Refuses to serve a non-loopback interface without a token: anyone on the network could run the
 * gateway's tools. Throws LoomError `config_error` saying how to set one.
 */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (token !== undefined || isLoopbackHost(host)) return;
  throw new LoomError(
    "config_error",
    `refusing to serve MCP on ${host} without an auth token: anyone who can reach this address could ` +
      `call every tool. Set a token with --auth-token <token>, --auth-token-file <file> or the ` +
      `${AUTH_TOKEN_ENV} environment variable (clients then send "Authorization: Bearer <token>"), ` +
      `or bind to 127.0.0.1.`,
    { details: { host } },
  );
}

/**
 * Whether a request carries `Authorization: Bearer <token>`, without answering it (for endpoints
 * that serve everyone but say more to an authorised caller, such as `/readyz`).
 */
export function bearerTokenMatcher(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    const match = typeof header === "string" ? BEARER.exec(header) : null;
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Options of {@link bearerAuthGuard}. */
export interface BearerAuthOptions {
  /** Realm named in the challenge. @default "loom-mcp" */
  realm?: string;
}

/**
 * A guard that answers 401 itself (and returns false) unless the request carries
 * `Authorization: Bearer <token>`.
 *
 * @example
 * const auth = bearerAuthGuard(token);
 * if (!auth(req, res)) return;
 */
export function bearerAuthGuard(
  token: string,
  options: BearerAuthOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const matches = bearerTokenMatcher(token);
  const realm = options.realm ?? "loom-mcp";
  return (req, res) => {
    const header = req.headers.authorization;
    if (matches(req)) return true;
    const challenge =
      header === undefined
        ? `Bearer realm="${realm}"`
        : `Bearer realm="${realm}", error="invalid_token", error_description="the bearer token is not valid"`;
    const message =
      header === undefined
        ? "Unauthorized: send the gateway's token as 'Authorization: Bearer <token>'"
        : "Unauthorized: the bearer token is not valid";
    if (!res.headersSent) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": challenge });
      res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }));
    }
    return false;
  };
}

// Hashing first gives equal-length inputs to timingSafeEqual, so the length leaks nothing either.
function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
