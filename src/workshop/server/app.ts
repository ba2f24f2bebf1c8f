/**
 * The Workshop's HTTP server (Express 5): server-rendered pages, htmx fragments, server-sent events
 * for runs. Guards first (Host/Origin, token, CSRF, body limit), then the route modules, then one
 * error handler that turns every failure into a clear message — never a stack trace.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { ConfigValidationError } from "../../config/index.js";
import { errorMessage, LoomError } from "../../errors.js";
import type { WorkshopContext } from "./context.js";
import { deadLetterRoutes } from "./dead-letter-routes.js";
import { evalRoutes } from "./eval-routes.js";
import { html } from "./html.js";
import { HttpError } from "./http-error.js";
import { errorPage } from "./pages/layout.js";
import { pipelineRoutes } from "./pipeline-routes.js";
import { csrfGuard, hostGuard, tokenGuard } from "./security.js";
import { workerRoutes } from "./worker-routes.js";

/** Largest request body accepted (a YAML file, a payload, a suite). */
export const BODY_LIMIT = "1mb";

export interface WorkshopAppOptions {
  csrf: string;
  bindHost: string;
  /** Required on every request when set. */
  token?: string;
  assetsDir: string;
}

export function createWorkshopApp(ctx: WorkshopContext, options: WorkshopAppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(hostGuard(options.bindHost));
  if (options.token) app.use(tokenGuard(options.token));
  app.use((_req, res, next) => {
    res.setHeader(
      "content-security-policy",
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    );
    res.setHeader("x-content-type-options", "nosniff");
    next();
  });
  app.use("/assets", express.static(options.assetsDir, { fallthrough: false, maxAge: "1h" }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(csrfGuard(options.csrf));

  app.get("/", (_req, res) => res.redirect("/workers"));
  workerRoutes(app, ctx);
  evalRoutes(app, ctx);
  pipelineRoutes(app, ctx);
  deadLetterRoutes(app, ctx);

  app.use((_req, _res, next) => next(new HttpError(404, "There is no such page in the Workshop.")));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(error);
    const message =
      status === 500
        ? "The Workshop hit an internal error; the details are in its terminal."
        : messageOf(error);
    if (status === 500) {
      ctx.log(
        `internal error on ${req.method} ${req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status);
    if (req.headers["hx-request"])
      res.type("html").send(html`<p class="error" role="alert">${message}</p>`.value);
    else if (req.accepts(["html", "json"]) === "json") res.json({ error: message });
    else res.type("html").send(errorPage(ctx.page, status, message).value);
  });
  return app;
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof ConfigValidationError) return 400;
  if (error instanceof LoomError) return error.code === "internal" ? 500 : 400;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500 ? status : 500;
}

function messageOf(error: unknown): string {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.too.large")
    return `The request is larger than ${BODY_LIMIT}: send a smaller payload or file.`;
  if (type === "entity.parse.failed") return "The request body is not valid JSON.";
  return errorMessage(error);
}
