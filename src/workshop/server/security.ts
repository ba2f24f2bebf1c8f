/**
 * What stands in front of every Workshop route: Host/Origin checks against DNS rebinding, a token
 * when bound beyond loopback, and CSRF protection on every state-changing request.
 *
 * CSRF: a random secret per process, put in every page (`<meta name="csrf-token">`, hidden form
 * fields) and required back on POST as the `x-csrf-token` header or the `_csrf` field. A page of
 * another site can neither read it nor send the header cross-origin.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { allowedHostnames, hostAndOriginGuard } from "../../mcp/http-guards.js";

const TOKEN_COOKIE = "loom_workshop_token";

/** Constant-time string comparison. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** 403 for a Host or Origin that is not this server's. */
export function hostGuard(bindHost: string) {
  const guard = hostAndOriginGuard(allowedHostnames(bindHost));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (guard(req, res)) next();
  };
}

/**
 * Requires `token` as `Authorization: Bearer`, the `token` query parameter (which sets a cookie, so
 * the printed URL works in a browser), or that cookie.
 */
export function tokenGuard(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const query = typeof req.query.token === "string" ? req.query.token : undefined;
    const cookie = cookieValue(req.headers.cookie, TOKEN_COOKIE);
    const given = bearer ?? query ?? cookie;
    if (given !== undefined && sameSecret(given, token)) {
      if (query !== undefined) {
        res.setHeader(
          "set-cookie",
          `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        );
      }
      next();
      return;
    }
    res
      .status(401)
      .type("text/plain")
      .send("This Workshop needs its token: open the URL it printed (…?token=…).\n");
  };
}

/** 403 for a state-changing request without the page's CSRF token. */
export function csrfGuard(secret: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") {
      next();
      return;
    }
    const header = req.headers["x-csrf-token"];
    const field = (req.body as Record<string, unknown> | undefined)?._csrf;
    const given = typeof header === "string" ? header : typeof field === "string" ? field : "";
    if (given !== "" && sameSecret(given, secret)) {
      next();
      return;
    }
    res
      .status(403)
      .type("text/plain")
      .send(
        "Refused: this request did not come from a Workshop page (missing or wrong CSRF token). Reload the page and try again.\n",
      );
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}
