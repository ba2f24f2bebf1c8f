/** Worker pages: Edit (validate, save, versions, diff) and Test. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Express, Request } from "express";
import { loadWorkerConfig } from "../../config/index.js";
import { describeWorker, type WorkerEntry } from "../catalog.js";
import { saveConfigText } from "../save-config.js";
import { skeletonOf } from "../skeleton.js";
import { runTestVariant, type TestVariant } from "../test-run.js";
import { field, tierOf, type WorkshopContext } from "./context.js";
import { html } from "./html.js";
import { HttpError } from "./http-error.js";
import { issueList, workerTabs } from "./pages/layout.js";
import { saveStatus, versionsSection, workerEditPage } from "./pages/worker-edit.js";
import { testResults, workerTestPage } from "./pages/worker-test.js";
import { workersPage } from "./pages/workers.js";
import { diffRoute } from "./version-routes.js";

/** The worker named in the URL. @throws HttpError 404 naming the closest worker */
export async function workerOf(ctx: WorkshopContext, req: Request): Promise<WorkerEntry> {
  const name = String(req.params.name);
  const entry = await ctx.workers.find(name);
  if (!entry) throw new HttpError(404, await ctx.workers.unknownMessage("worker", name));
  return entry;
}

export function workerRoutes(app: Express, ctx: WorkshopContext): void {
  app.get("/workers", async (req, res) => {
    const query = typeof req.query.q === "string" ? req.query.q : "";
    res
      .type("html")
      .send(workersPage(ctx.page, await ctx.workers.list(), path.basename(ctx.configsDir), query));
  });
  app.get("/workers/:name", (req, res) =>
    res.redirect(`/workers/${encodeURIComponent(req.params.name)}/edit`),
  );

  app.get("/workers/:name/edit", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const text = await readFile(entry.file, "utf8");
    res.type("html").send(workerEditPage(ctx.page, entry, text, await ctx.workerVersions.list(entry.name)));
  });
  app.post("/workers/:name/validate", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const checked = await describeWorker(entry.file, ctx.configsDir, field(req, "text"));
    res.json({ issues: checked.issues.map(({ file: _file, ...issue }) => issue) });
  });
  app.post("/workers/:name/save", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const text = field(req, "text");
    const checked = await describeWorker(entry.file, ctx.configsDir, text);
    const outcome = await saveConfigText(
      ctx.workerVersions,
      entry,
      text,
      checked,
      field(req, "force") === "1",
    );
    ctx.workers.forget(entry.file);
    if (!outcome.saved) {
      res.send(
        saveStatus({ saved: false, message: outcome.message, issues: issueList(outcome.issues) }).value,
      );
      return;
    }
    ctx.log(`saved ${entry.relativePath}: ${outcome.message}`);
    res.send(
      html`${saveStatus({ saved: true, message: outcome.message })}${versionsSection(entry.name, await ctx.workerVersions.list(entry.name), true)}`
        .value,
    );
  });
  app.get("/workers/:name/diff", async (req, res) => {
    const entry = await workerOf(ctx, req);
    res
      .type("html")
      .send(await diffRoute(ctx, ctx.workerVersions, entry.name, req, workerTabs(entry.name, "edit")));
  });

  app.get("/workers/:name/test", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const config = await loadWorkerConfig(entry.file).catch(() => undefined);
    const skeleton = JSON.stringify(skeletonOf(config?.inputSchema ?? {}) ?? {}, null, 2);
    res.type("html").send(workerTestPage(ctx.page, entry, skeleton));
  });
  app.post("/workers/:name/test", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const payload = parsePayload(field(req, "payload"));
    const variant = (prefix: string): TestVariant => ({
      source: field(req, `${prefix}_source`) === "draft" ? "draft" : "saved",
      tier: tierOf(field(req, `${prefix}_tier`) || entry.tier),
      text: field(req, "draft"),
    });
    const wanted = field(req, "compare") === "1" ? [variant("a"), variant("b")] : [variant("a")];
    if (wanted.some((v) => v.source === "draft" && !v.text)) {
      throw new HttpError(
        400,
        "There is no unsaved edit of this worker: edit it in the Edit tab first, or run the saved file.",
      );
    }
    const controller = new AbortController();
    res.once("close", () => controller.abort(new Error("the page went away")));
    const outcomes = await Promise.all(
      wanted.map((v) => runTestVariant(entry.file, payload, v, controller.signal)),
    );
    res.send(testResults(outcomes).value);
  });
}

function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `The payload is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, 'The payload must be a JSON object, like {"text": "…"}.');
  }
  return value as Record<string, unknown>;
}
