/** Pipeline pages: the list, Graph, Edit (YAML and stage operations) and Run. */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Express, Request, Response } from "express";
import { parse } from "yaml";
import { loadWorkerConfig } from "../../config/index.js";
import type { Tier } from "../../config/types.js";
import { buildPipelineGraph, layoutGraph, renderGraphSvg, type WorkerSchemas } from "../graph/index.js";
import { describePipeline, type PipelineEntry } from "../pipeline-catalog.js";
import { editPipeline, type StageEdit } from "../pipeline-edit.js";
import { jobResult, startPipelineJob } from "../pipeline-jobs.js";
import { saveConfigText } from "../save-config.js";
import { field, tierOf, type WorkshopContext } from "./context.js";
import { HttpError } from "./http-error.js";
import { pipelineEditPage, type StageChoices } from "./pages/pipeline-edit.js";
import { pipelineGraphPage } from "./pages/pipeline-graph.js";
import { pipelineResultFragment, pipelineRunPage } from "./pages/pipeline-run.js";
import { pipelinesPage, pipelineTabs } from "./pages/pipelines.js";
import { diffRoute } from "./version-routes.js";

async function pipelineOf(ctx: WorkshopContext, req: Request): Promise<PipelineEntry> {
  const name = String(req.params.name);
  const entry = await ctx.pipelines.find(name);
  if (!entry) throw new HttpError(404, await ctx.pipelines.unknownMessage("pipeline", name));
  return entry;
}

/** Input and output schemas of every valid worker, for the graph's checks. */
async function workerSchemas(ctx: WorkshopContext): Promise<Map<string, WorkerSchemas>> {
  const schemas = new Map<string, WorkerSchemas>();
  for (const entry of await ctx.workers.list()) {
    const worker = entry.valid ? await loadWorkerConfig(entry.file).catch(() => undefined) : undefined;
    if (worker)
      schemas.set(worker.name, { inputSchema: worker.inputSchema, outputSchema: worker.outputSchema });
  }
  return schemas;
}

function parsedYaml(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

export function pipelineRoutes(app: Express, ctx: WorkshopContext): void {
  const graphOf = async (text: string) => buildPipelineGraph(parsedYaml(text), await workerSchemas(ctx));

  app.get("/pipelines", async (_req, res) => {
    res.type("html").send(pipelinesPage(ctx.page, await ctx.pipelines.list(), path.basename(ctx.configsDir)));
  });
  app.get("/pipelines/:name", (req, res) =>
    res.redirect(`/pipelines/${encodeURIComponent(req.params.name)}/graph`),
  );

  app.get("/pipelines/:name/graph", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    const graph = await graphOf(await readFile(entry.file, "utf8"));
    const selected = typeof req.query.stage === "string" ? req.query.stage : undefined;
    const svg = renderGraphSvg(graph, layoutGraph(graph), selected ? { selected } : {});
    res.type("html").send(pipelineGraphPage(ctx.page, entry, graph, svg, selected));
  });

  const editPage = async (entry: PipelineEntry, text: string, notice?: { ok: boolean; message: string }) => {
    const schemas = await workerSchemas(ctx);
    const graph = buildPipelineGraph(parsedYaml(text), schemas);
    const paths = new Set<string>();
    for (const stage of graph.stages) {
      for (const from of Object.values(stage.inputMapping)) if (from.startsWith("goal.")) paths.add(from);
      const output = schemas.get(stage.workerType)?.outputSchema as
        | { properties?: Record<string, unknown> }
        | undefined;
      for (const property of Object.keys(output?.properties ?? {}))
        paths.add(`${stage.name}.output.${property}`);
    }
    const choices: StageChoices = {
      stages: graph.stages.map((s) => s.name),
      workers: [...schemas.keys()].sort(),
      paths: [...paths],
    };
    return pipelineEditPage(
      ctx.page,
      entry,
      text,
      await ctx.pipelineVersions.list(entry.name),
      choices,
      notice,
    );
  };
  app.get("/pipelines/:name/edit", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    // After a save the page is reached by redirect (a reload must not post again): say what was saved.
    const saved =
      typeof req.query.saved === "string" && /^[0-9a-f]{12}$/.test(req.query.saved)
        ? req.query.saved
        : undefined;
    const notice = saved ? { ok: true, message: `Saved as version ${saved}.` } : undefined;
    res.type("html").send(await editPage(entry, await readFile(entry.file, "utf8"), notice));
  });
  app.post("/pipelines/:name/validate", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    const checked = await describePipeline(entry.file, ctx.configsDir, field(req, "text"));
    res.json({ issues: checked.issues.map(({ file: _file, ...issue }) => issue) });
  });
  /** Saves `text`: a redirect to the Edit page when saved, else the page with the text and why not. */
  const saveAndAnswer = async (
    req: Request,
    res: Response,
    entry: PipelineEntry,
    text: string,
    shown: string,
  ) => {
    const checked = await describePipeline(entry.file, ctx.configsDir, text);
    const outcome = await saveConfigText(
      ctx.pipelineVersions,
      entry,
      text,
      checked,
      field(req, "force") === "1",
    );
    ctx.pipelines.forget(entry.file);
    if (outcome.saved) {
      ctx.log(`saved ${entry.relativePath}: ${outcome.message}`);
      res.redirect(
        303,
        `/pipelines/${encodeURIComponent(entry.name)}/edit?saved=${outcome.version?.hash ?? ""}`,
      );
      return;
    }
    const problems = outcome.issues
      .filter((i) => i.severity === "error")
      .map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`);
    const message = problems.length === 0 ? outcome.message : `${outcome.message} ${problems.join("; ")}`;
    res
      .status(400)
      .type("html")
      .send(await editPage(entry, shown, { ok: false, message }));
  };
  app.post("/pipelines/:name/save", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    const text = field(req, "text");
    await saveAndAnswer(req, res, entry, text, text);
  });
  app.post("/pipelines/:name/stages", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    const current = await readFile(entry.file, "utf8");
    let text: string;
    try {
      text = editPipeline(current, stageEdit(req));
    } catch (error) {
      const message = `Not applied: ${(error as Error).message}`;
      res
        .status(400)
        .type("html")
        .send(await editPage(entry, current, { ok: false, message }));
      return;
    }
    await saveAndAnswer(req, res, entry, text, current);
  });
  app.get("/pipelines/:name/diff", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    res
      .type("html")
      .send(await diffRoute(ctx, ctx.pipelineVersions, entry.name, req, pipelineTabs(entry.name, "edit")));
  });

  app.get("/pipelines/:name/run", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    const graph = await graphOf(await readFile(entry.file, "utf8"));
    const fields = new Set<string>();
    for (const stage of graph.stages) {
      for (const from of Object.values(stage.inputMapping)) {
        const match = /^goal\.context\.([A-Za-z0-9_]+)/.exec(from);
        if (match?.[1]) fields.add(match[1]);
      }
    }
    res
      .type("html")
      .send(pipelineRunPage(ctx.page, entry, [...fields], renderGraphSvg(graph, layoutGraph(graph))));
  });
  app.post("/pipelines/:name/runs", async (req, res) => {
    const entry = await pipelineOf(ctx, req);
    if (!entry.valid)
      throw new HttpError(
        400,
        `${entry.name} has config errors: fix them on the Edit tab before running it.`,
      );
    const context: Record<string, unknown> = {};
    for (const [key, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
      if (key.startsWith("context.") && typeof value === "string" && value !== "")
        context[key.slice(8)] = contextValue(value);
    }
    const instruction = field(req, "instruction");
    const goal = { goal_id: randomUUID(), context, ...(instruction ? { instruction } : {}) };
    const job = startPipelineJob(ctx.pipelineJobs, entry, ctx.workers, goal);
    const base = `/pipelines/${encodeURIComponent(entry.name)}/runs/${job.id}`;
    res.json({
      job_id: job.id,
      events_url: `${base}/events`,
      cancel_url: `${base}/cancel`,
      result_url: base,
    });
  });
  const jobOf = async (req: Request) => {
    const entry = await pipelineOf(ctx, req);
    const job = ctx.pipelineJobs.get(entry.name, String(req.params.job));
    if (!job)
      throw new HttpError(
        404,
        "No such run: runs are kept while the Workshop runs (the last 50 finished ones).",
      );
    return job;
  };
  app.get("/pipelines/:name/runs/:job/events", async (req, res) =>
    ctx.pipelineJobs.stream(await jobOf(req), res),
  );
  app.post("/pipelines/:name/runs/:job/cancel", async (req, res) => {
    const job = await jobOf(req);
    job.controller.abort(new Error("cancelled from the Workshop"));
    res.json({ cancelled: !job.finished });
  });
  app.get("/pipelines/:name/runs/:job", async (req, res) => {
    const result = jobResult(await jobOf(req));
    if (!result) throw new HttpError(409, "This run has not finished yet.");
    res.type("html").send(pipelineResultFragment(result).value);
  });
}

/** A context field typed in the goal form: JSON when it parses as an object, array or number, else text. */
function contextValue(text: string): unknown {
  if (/^\s*[[{\d-]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function stageEdit(req: Request): StageEdit {
  const op = field(req, "op");
  const stage = field(req, "stage");
  switch (op) {
    case "insert_after": {
      const mapping: Record<string, string> = {};
      for (const pair of field(req, "mapping")
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [key, ...rest] = pair.split("=");
        if (!key || rest.length === 0)
          throw new HttpError(
            400,
            `'${pair}' is not a mapping: write field=path, e.g. text=extract.output.text_preview`,
          );
        mapping[key.trim()] = rest.join("=").trim();
      }
      const tier = field(req, "tier");
      return {
        op,
        after: field(req, "after"),
        stage: {
          name: field(req, "name"),
          worker_type: field(req, "worker_type"),
          ...(tier ? { tier: tierOf(tier) as Tier } : {}),
          input_mapping: mapping,
        },
      };
    }
    case "remove":
      return { op, stage };
    case "set_worker":
      return { op, stage, worker_type: field(req, "worker_type") };
    case "set_tier":
      return { op, stage, tier: field(req, "tier") ? tierOf(field(req, "tier")) : null };
    case "set_mapping":
      return { op, stage, field: field(req, "field"), path: field(req, "path") || null };
    default:
      throw new HttpError(400, `'${op}' is not a stage operation`);
  }
}
