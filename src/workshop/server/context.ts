/** What every route module of the Workshop gets: the stores, catalogs and jobs of one configs folder. */

import type { NatsConnection } from "@nats-io/transport-node";
import type { Request } from "express";
import type { Mesh } from "../../bus/streams.js";
import { TIERS, type Tier } from "../../config/types.js";
import type { WorkerCatalog } from "../catalog.js";
import type { EvalStore } from "../eval/index.js";
import type { EvalCaseEvent } from "../eval-jobs.js";
import type { Jobs } from "../jobs.js";
import type { PipelineCatalog } from "../pipeline-catalog.js";
import type { PipelineJobEvent } from "../pipeline-jobs.js";
import type { VersionStore } from "../versions.js";
import { HttpError } from "./http-error.js";
import type { PageContext } from "./pages/layout.js";

export interface WorkshopContext {
  configsDir: string;
  page: PageContext;
  workers: WorkerCatalog;
  pipelines: PipelineCatalog;
  workerVersions: VersionStore;
  pipelineVersions: VersionStore;
  evals: EvalStore;
  evalJobs: Jobs<EvalCaseEvent>;
  pipelineJobs: Jobs<PipelineJobEvent>;
  /** The mesh, when the Workshop was started with a NATS URL (the Dead letters page). */
  mesh?: { mesh: Mesh; nc: NatsConnection };
  log: (line: string) => void;
}

/** A string field of the form or JSON body ('' when absent). */
export function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

export function tierOf(value: string): Tier {
  if ((TIERS as readonly string[]).includes(value)) return value as Tier;
  throw new HttpError(400, `'${value}' is not a tier (tiers: ${TIERS.join(", ")})`);
}
