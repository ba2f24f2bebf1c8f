/**
 * Optional CORS for browser-based MCP clients (issue 8). Off by default. When on, allowed origins
 * get `Access-Control-Allow-Origin`, preflights are answered, and `Mcp-Session-Id` is exposed so a
 * browser client can read the session a 2025-era `initialize` opened.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Request headers MCP clients send. */
const ALLOWED_HEADERS = [
  "Content-Type",
  "Accept",
  "Authorization",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
  "Last-Event-ID",
];
/** Response headers a browser client must be able to read. */
const EXPOSED_HEADERS = ["Mcp-Session-Id", "Mcp-Protocol-Version", "WWW-Authenticate"];

/** Options of {@link corsHandler}. */
export interface CorsOptions {
  /** Allowed origins (`https://app.example.com`), or `"*"` for any. */
  origins: readonly string[] | "*";
  /** Preflight cache time. @default 600 */
  maxAgeSeconds?: number;
}

/**
 * Adds CORS headers for an allowed Origin and answers preflights. Returns true when it answered
 * the request itself (an `OPTIONS` preflight); otherwise the caller goes on serving it.
 *
 * @example
 * const cors = corsHandler({ origins: ["https://inspector.example"] });
 * if (cors(req, res)) return;
 */
export function corsHandler(options: CorsOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { origins } = options;
  const any = origins === "*";
  const allowed = new Set(origins === "*" ? [] : origins.map((o) => o.replace(/\/$/, "")));
  const maxAge = String(options.maxAgeSeconds ?? 600);
  return (req, res) => {
    const origin = req.headers.origin;
    const ok = typeof origin === "string" && (any || allowed.has(origin));
    if (ok) {
      res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS.join(", "));
      if (!any) res.setHeader("Vary", "Origin");
    }
    if (req.method !== "OPTIONS") return false;
    if (ok) {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS.join(", "));
      res.setHeader("Access-Control-Max-Age", maxAge);
    }
    res.writeHead(ok ? 204 : 403).end();
    return true;
  };
}

/** The hostnames of explicitly allowed origins, for the DNS-rebinding Origin check. */
export function corsOriginHostnames(origins: readonly string[] | "*"): string[] {
  if (origins === "*") return [];
  const names: string[] = [];
  for (const origin of origins) {
    try {
      names.push(new URL(origin).hostname);
    } catch {
      // not a URL; the CLI validates origins before they get here
    }
  }
  return names;
}
