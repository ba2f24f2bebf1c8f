/** The suite the Eval page offers for a worker that has none yet: one case built from its schemas. */
import { stringify } from "yaml";
import type { WorkerConfig } from "../config/types.js";
import { skeletonOf } from "./skeleton.js";

export function starterSuiteText(
  worker: Pick<WorkerConfig, "name" | "inputSchema" | "outputSchema">,
): string {
  const suite = {
    worker: worker.name,
    scoring: { method: "field_match" },
    pass_threshold: 0.8,
    cases: [
      {
        name: "first_case",
        input: skeletonOf(worker.inputSchema) ?? {},
        expected: skeletonOf(worker.outputSchema) ?? {},
      },
    ],
  };
  return `# Eval suite for ${worker.name}: each case gives an input and the output you expect.\n# scoring.method: exact | field_match (per-field weights and tolerance) | llm_judge (rubric, tier)\n${stringify(suite)}`;
}
