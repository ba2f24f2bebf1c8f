/**
 * Liveness and readiness endpoints for orchestrators and load balancers (issue 8): `/healthz`
 * answers 200 while the process serves HTTP; `/readyz` answers 200 only when every readiness
 * check passes (config loaded; NATS connected when configured), 503 otherwise. Neither needs the
 * auth token, and neither says more than ok / not ok per check.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Liveness path. */
export const HEALTH_PATH = "/healthz";
/** Readiness path. */
export const READY_PATH = "/readyz";

// A path of only these characters (no query, dot segments, escapes or leading "//") is its own
// URL pathname, so the common request skips the URL parser (run for each request, twice).
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_~/-]*$/;

/** The pathname of a request's URL, as `new URL(req.url, "http://localhost").pathname` gives it. */
export function requestPathname(req: IncomingMessage): string {
  const url = req.url ?? "/";
  return PLAIN_PATH.test(url) ? url : new URL(url, "http://localhost").pathname;
}

/** One readiness check: a name and whether it passes now (with an optional short reason). */
export interface ReadinessCheck {
  name: string;
  check: () => { ok: boolean; detail?: string } | Promise<{ ok: boolean; detail?: string }>;
}

/** Options of {@link healthHandler}. */
export interface HealthHandlerOptions {
  /**
   * Whether this caller may see each check's `detail` (e.g. the tool count); others get only ok /
   * not ok per check. @default every caller sees details
   */
  showDetail?: (req: IncomingMessage) => boolean;
}

/**
 * Serves `/healthz` and `/readyz`; returns false (having written nothing) for any other path.
 *
 * @example
 * const health = healthHandler([{ name: "config", check: () => ({ ok: gateway.tools.length >= 0 }) }]);
 * if (await health(req, res)) return;
 */
export function healthHandler(
  checks: readonly ReadinessCheck[],
  options: HealthHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const pathname = requestPathname(req);
    if (pathname !== HEALTH_PATH && pathname !== READY_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    if (pathname === HEALTH_PATH) {
      send(res, 200, { status: "ok" });
      return true;
    }
    const results: Record<string, { ok: boolean; detail?: string }> = {};
    for (const { name, check } of checks) {
      try {
        results[name] = await check();
      } catch (error) {
        results[name] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    }
    const ready = Object.values(results).every((r) => r.ok);
    if (options.showDetail !== undefined && !options.showDetail(req)) {
      for (const result of Object.values(results)) delete result.detail;
    }
    send(res, ready ? 200 : 503, { status: ready ? "ready" : "not_ready", checks: results });
    return true;
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
