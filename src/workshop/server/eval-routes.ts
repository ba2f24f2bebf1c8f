/** Worker → Eval: the suite, runs with live progress, run pages against the golden baseline. */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Express } from "express";
import { loadWorkerConfig } from "../../config/index.js";
import { compareRuns, type DeltaFilter, evalSuitePath, filterDeltas, parseSuite } from "../eval/index.js";
import { startEvalJob } from "../eval-jobs.js";
import { starterSuiteText } from "../starter-suite.js";
import { writeAtomic } from "../versions.js";
import { field, tierOf, type WorkshopContext } from "./context.js";
import { html } from "./html.js";
import { HttpError } from "./http-error.js";
import { evalRunPage } from "./pages/eval-run.js";
import { workerEvalPage } from "./pages/worker-eval.js";
import { workerOf } from "./worker-routes.js";

const FILTERS: readonly DeltaFilter[] = ["regressions", "improvements", "errors", "changed"];

export function evalRoutes(app: Express, ctx: WorkshopContext): void {
  const shown = (file: string) => path.relative(path.dirname(ctx.configsDir), file);

  app.get("/workers/:name/eval", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const file = evalSuitePath(ctx.configsDir, entry.name);
    const exists = existsSync(file);
    const config = exists ? undefined : await loadWorkerConfig(entry.file).catch(() => undefined);
    const text = exists
      ? await readFile(file, "utf8")
      : starterSuiteText({
          name: entry.name,
          inputSchema: config?.inputSchema ?? {},
          outputSchema: config?.outputSchema ?? {},
        });
    const runs = await ctx.evals.listRuns(entry.name, 30);
    const baseline = await ctx.evals.baseline(entry.name);
    res
      .type("html")
      .send(workerEvalPage(ctx.page, entry, { text, path: shown(file), exists }, runs, baseline?.id));
  });
  app.post("/workers/:name/eval/suite", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const file = evalSuitePath(ctx.configsDir, entry.name);
    const text = field(req, "suite");
    const suite = parseSuite(text, shown(file));
    if (suite.worker !== entry.name)
      throw new HttpError(
        400,
        `This suite is for '${suite.worker}', not '${entry.name}': set worker: ${entry.name}`,
      );
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(file, text);
    res.send(
      html`<p class="ok" role="status">Saved ${suite.cases.length} case(s) to ${shown(file)}.</p>`.value,
    );
  });
  app.post("/workers/:name/eval/runs", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const file = evalSuitePath(ctx.configsDir, entry.name);
    const text = field(req, "suite") || (await readFile(file, "utf8").catch(() => ""));
    if (!text)
      throw new HttpError(400, `No suite yet: write cases in the Suite editor (saved to ${shown(file)}).`);
    const suite = parseSuite(text, shown(file));
    if (suite.worker !== entry.name)
      throw new HttpError(
        400,
        `This suite is for '${suite.worker}', not '${entry.name}': set worker: ${entry.name}`,
      );
    if (suite.cases.length === 0)
      throw new HttpError(400, "The suite has no cases: add at least one under cases:.");
    const concurrency = Number(field(req, "concurrency") || 4);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
      throw new HttpError(400, "Concurrency must be a whole number from 1 to 32.");
    }
    const workerText = await readFile(entry.file, "utf8");
    const tier = tierOf(field(req, "tier") || entry.tier);
    const job = startEvalJob(ctx.evalJobs, ctx.evals, entry, workerText, suite, { tier, concurrency });
    const base = `/workers/${encodeURIComponent(entry.name)}/eval/jobs/${job.id}`;
    res.json({ job_id: job.id, events_url: `${base}/events`, cases: suite.cases.length });
  });
  app.get("/workers/:name/eval/jobs/:job/events", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const job = ctx.evalJobs.get(entry.name, String(req.params.job));
    if (!job)
      throw new HttpError(
        404,
        "No such eval run in progress (it may have finished long ago): see the History.",
      );
    ctx.evalJobs.stream(job, res);
  });
  app.get("/workers/:name/eval/runs/:id", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const run = await ctx.evals.getRun(entry.name, String(req.params.id));
    if (!run)
      throw new HttpError(
        404,
        `${entry.name} has no eval run ${String(req.params.id)}: see the History on the Eval tab.`,
      );
    const baseline = await ctx.evals.baseline(entry.name);
    const filter = filterOf(req.query.filter);
    const deltas =
      baseline && baseline.id !== run.id ? filterDeltas(compareRuns(run, baseline), filter) : undefined;
    res.type("html").send(evalRunPage(ctx.page, run, baseline, deltas, filter));
  });
  app.post("/workers/:name/eval/runs/:id/promote", async (req, res) => {
    const entry = await workerOf(ctx, req);
    const id = String(req.params.id);
    await ctx.evals.promoteBaseline(entry.name, id);
    ctx.log(`promoted eval run ${id} of ${entry.name} to the golden baseline`);
    res.redirect(303, `/workers/${encodeURIComponent(entry.name)}/eval/runs/${encodeURIComponent(id)}`);
  });
}

function filterOf(value: unknown): DeltaFilter | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value === "string" && (FILTERS as readonly string[]).includes(value))
    return value as DeltaFilter;
  throw new HttpError(400, `'${String(value)}' is not a filter (filters: ${FILTERS.join(", ")})`);
}
