/**
 * `loom doctor`: every pre-flight check for a configs folder — its configs valid, each tier its LLM
 * workers use reachable with its model, and NATS with JetStream when a URL is set.
 */
import path from "node:path";
import { loadWorkerConfig } from "../config/index.js";
import type { Tier } from "../config/types.js";
import { countIssues, validateFiles } from "../config/validate-report.js";
import { configFilesIn } from "../config/validate-targets.js";
import { loadSettings } from "../llm/settings.js";
import type { CheckResult } from "./check.js";
import { checkTier } from "./llm-check.js";
import { checkNats } from "./nats-check.js";

export interface DoctorOptions {
  configsDir: string;
  natsUrl?: string;
  natsCreds?: string;
}

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const files = await configFilesIn(options.configsDir);
  const reports = await validateFiles(files);
  const { errors, warnings } = countIssues(reports);
  const results: CheckResult[] = [
    {
      name: "configs",
      ok: errors === 0,
      detail: `${files.length} files in ${options.configsDir}: ${errors} errors, ${warnings} warnings`,
      fix: `loom validate --all shows each one`,
    },
  ];
  const tiers = new Set<Tier>();
  for (const report of reports) {
    if (report.kind !== "worker" || report.issues.some((i) => i.severity === "error")) continue;
    const worker = await loadWorkerConfig(report.file).catch(() => undefined);
    if (worker && worker.workerKind !== "processor") tiers.add(worker.defaultModelTier);
  }
  const settings = await loadSettings({ configFile: path.join(options.configsDir, "workers", "x.yaml") });
  results.push(...(await Promise.all([...tiers].sort().map((tier) => checkTier(tier, settings)))));
  if (options.natsUrl) results.push(await checkNats(options.natsUrl, options.natsCreds));
  else
    results.push({
      name: "NATS",
      ok: true,
      detail: "not configured (only the mesh needs it: --nats-url or LOOM_NATS_URL)",
    });
  return results;
}
