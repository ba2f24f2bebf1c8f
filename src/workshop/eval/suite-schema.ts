/**
 * The Zod definition of an eval suite file. Unknown keys are errors (a typo such as
 * `pass_treshold` would otherwise silently keep the default).
 */
import { z } from "zod";
import { TIERS, type Tier } from "../../config/types.js";
import { WORKER_NAME_PATTERN } from "./suite-types.js";

const mapping = z.record(z.string(), z.unknown(), { error: "must be a mapping of field names to values" });

const fieldRule = z.strictObject({
  weight: z.number({ error: "must be a number" }).positive({ error: "must be a positive number" }).optional(),
  tolerance: z.number({ error: "must be a number" }).nonnegative({ error: "must be 0 or more" }).optional(),
});

const tier = z.enum(TIERS as [Tier, ...Tier[]], { error: `must be one of ${TIERS.join(", ")}` });

const scoring = z.discriminatedUnion(
  "method",
  [
    z.strictObject({ method: z.literal("exact") }),
    z.strictObject({
      method: z.literal("field_match"),
      fields: z
        .record(z.string(), fieldRule, { error: "must be a mapping of field name to rule" })
        .optional(),
    }),
    z.strictObject({
      method: z.literal("llm_judge"),
      rubric: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }),
      tier: tier.optional(),
    }),
  ],
  { error: "method must be one of exact, field_match, llm_judge" },
);

const evalCase = z.strictObject({
  name: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }),
  input: mapping,
  expected: mapping,
});

/** An eval suite file as YAML holds it (defaults applied by parsing). */
export const EvalSuiteSchema = z.strictObject({
  worker: z.string({ error: "must be a string" }).regex(WORKER_NAME_PATTERN, {
    error: "must be a worker name: lowercase letters, digits and '_', starting with a letter",
  }),
  scoring: scoring,
  pass_threshold: z
    .number({ error: "must be a number between 0 and 1" })
    .min(0, { error: "must be between 0 and 1" })
    .max(1, { error: "must be between 0 and 1" })
    .default(1),
  concurrency: z
    .int({ error: "must be a positive integer" })
    .positive({ error: "must be a positive integer" })
    .optional(),
  cases: z.array(evalCase, { error: "must be a list of cases" }),
});

/** Top-level keys of a suite file, in the order files are written. */
export const SUITE_KEYS = ["worker", "scoring", "pass_threshold", "concurrency", "cases"] as const;
