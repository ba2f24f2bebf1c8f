/**
 * Eval suite files: where they live, reading them (with positioned errors) and writing them.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import { parseYamlSource } from "../../config/yaml-source.js";
import { errorMessage, LoomError } from "../../errors.js";
import { writeFileAtomic } from "./atomic-write.js";
import { formatSuiteIssue, issueAt, type SuiteIssue, zodSuiteIssues } from "./suite-issues.js";
import { EvalSuiteSchema } from "./suite-schema.js";
import { type EvalSuite, WORKER_NAME_PATTERN } from "./suite-types.js";

/**
 * Throws `invalid_input` unless `worker` is a worker name that is safe as a file name.
 *
 * @example assertWorkerName("entity_extractor");
 */
export function assertWorkerName(worker: string, what = "worker name"): void {
  if (!WORKER_NAME_PATTERN.test(worker)) {
    throw new LoomError(
      "invalid_input",
      `${what} ${JSON.stringify(worker)} is not a worker name: expected lowercase letters, digits and '_', starting with a letter (e.g. entity_extractor)`,
      { details: { worker } },
    );
  }
}

/**
 * The suite file of a worker: `<configsDir>/evals/<worker>.yaml`.
 * Throws `invalid_input` when `worker` is not a plain worker name (no paths).
 *
 * @example evalSuitePath("configs", "entity_extractor") // "configs/evals/entity_extractor.yaml"
 */
export function evalSuitePath(configsDir: string, worker: string): string {
  assertWorkerName(worker);
  return path.join(configsDir, "evals", `${worker}.yaml`);
}

/**
 * Parses the text of a suite file. Throws `invalid_input` naming the file, line and YAML path of
 * the first problem and what is expected there (`details.issues` lists all of them). Unknown keys
 * and duplicate case names are errors.
 *
 * @example
 * const suite = parseSuite(await readFile(file, "utf8"), file);
 */
export function parseSuite(text: string, source: string): EvalSuite {
  const yaml = parseYamlSource(source, text);
  let issues: SuiteIssue[] = yaml.syntaxIssues.map((i) => ({
    file: i.file,
    line: i.line,
    column: i.column,
    path: i.path,
    message: `not valid YAML: ${i.message}`,
  }));
  let suite: EvalSuite | undefined;
  if (issues.length === 0) {
    if (yaml.data === undefined || yaml.data === null) {
      issues = [issueAt(yaml, [], "the file is empty: expected a mapping with worker, scoring and cases")];
    } else {
      const parsed = EvalSuiteSchema.safeParse(yaml.data);
      if (parsed.success) suite = parsed.data as EvalSuite;
      else issues = zodSuiteIssues(yaml, parsed.error.issues);
    }
  }
  if (suite) {
    const seen = new Map<string, number>();
    suite.cases.forEach((c, index) => {
      const first = seen.get(c.name);
      if (first === undefined) seen.set(c.name, index);
      else
        issues.push(
          issueAt(
            yaml,
            ["cases", index, "name"],
            `duplicate case name '${c.name}' (also cases[${first}]): names must be unique`,
          ),
        );
    });
  }
  const [first] = issues;
  if (first) {
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
    throw new LoomError("invalid_input", `eval suite ${formatSuiteIssue(first)}${more}`, {
      details: { file: source, issues },
    });
  }
  return suite as EvalSuite;
}

/**
 * Reads and parses a suite file. Throws `invalid_input` when it cannot be read or is malformed.
 *
 * @example const suite = await loadSuite(evalSuitePath("configs", "entity_extractor"));
 */
export async function loadSuite(file: string): Promise<EvalSuite> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : errorMessage(cause);
    throw new LoomError(
      "invalid_input",
      `eval suite ${file} ${why}: write one or create it in the Workshop`,
      {
        details: { file },
        cause,
      },
    );
  }
  return parseSuite(text, file);
}

/**
 * The YAML text of a suite, keys in the documented order. `parseSuite(stringifySuite(s))` equals `s`.
 *
 * @example await writeFile(file, stringifySuite(suite));
 */
export function stringifySuite(suite: EvalSuite): string {
  const ordered = {
    worker: suite.worker,
    scoring: suite.scoring,
    pass_threshold: suite.pass_threshold,
    ...(suite.concurrency === undefined ? {} : { concurrency: suite.concurrency }),
    cases: suite.cases.map((c) => ({ name: c.name, input: c.input, expected: c.expected })),
  };
  return stringify(ordered, { lineWidth: 0 });
}

/**
 * Writes a suite file atomically (temp file + rename), creating its folder. The suite is checked
 * first, so a file that would not load again is never written.
 *
 * @example await saveSuite(evalSuitePath("configs", suite.worker), suite);
 */
export async function saveSuite(file: string, suite: EvalSuite): Promise<void> {
  const text = stringifySuite(suite);
  parseSuite(text, file);
  await writeFileAtomic(file, text);
}
