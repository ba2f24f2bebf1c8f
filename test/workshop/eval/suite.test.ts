import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoomError } from "../../../src/errors.js";
import {
  type EvalSuite,
  evalSuitePath,
  loadSuite,
  parseSuite,
  saveSuite,
  stringifySuite,
} from "../../../src/workshop/eval/index.js";

const GOOD = `worker: entity_extractor
scoring:
  method: field_match
  fields:
    people: { weight: 2 }
    count: { tolerance: 1 }
pass_threshold: 0.8
concurrency: 2
cases:
  - name: un_founding
    input: { text: "The United Nations was founded in San Francisco." }
    expected: { people: [], count: 2 }
  - name: empty_text
    input: { text: "nothing here" }
    expected: { people: [], count: 0 }
`;

function parseError(text: string): LoomError {
  try {
    parseSuite(text, "evals/entity_extractor.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(LoomError);
    return error as LoomError;
  }
  throw new Error("expected parseSuite to throw");
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-eval-suite-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("eval suite files", () => {
  it("parses a suite with its defaults", () => {
    const suite = parseSuite(GOOD, "s.yaml");
    expect(suite.worker).toBe("entity_extractor");
    expect(suite.scoring).toEqual({
      method: "field_match",
      fields: { people: { weight: 2 }, count: { tolerance: 1 } },
    });
    expect(suite.cases.map((c) => c.name)).toEqual(["un_founding", "empty_text"]);
    const minimal = parseSuite("worker: w\nscoring: { method: exact }\ncases: []\n", "m.yaml");
    expect(minimal.pass_threshold).toBe(1);
    expect(minimal.concurrency).toBeUndefined();
  });

  it("names the file, line and expected form of a wrong value", () => {
    const error = parseError(GOOD.replace("expected: { people: [], count: 0 }", "expected: [1, 2]"));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain(
      "evals/entity_extractor.yaml:15:15: cases[1].expected: must be a mapping",
    );
    expect(error.message).toContain("cases[1].expected");
    expect(error.message).toContain("must be a mapping");
  });

  it("rejects unknown keys at their line, suggesting the close one", () => {
    const error = parseError(GOOD.replace("pass_threshold: 0.8", "pass_treshold: 0.8"));
    expect(error.message).toContain(
      "evals/entity_extractor.yaml:7:1: pass_treshold: unknown key 'pass_treshold'",
    );
    expect(error.message).toContain("did you mean 'pass_threshold'");
    const misspelt = parseError(GOOD.replace("scoring:", "scorin:"));
    expect(misspelt.message).toMatch(
      /:2:1: scorin: unknown key 'scorin' — did you mean 'scoring'\? \(and 1 more problem\)$/,
    );
    const inCase = parseError(GOOD.replace("  - name: empty_text\n", "  - name: empty_text\n    note: x\n"));
    expect(inCase.message).toContain(":14:5: cases[1].note: unknown key 'note'");
  });

  it("rejects duplicate case names, pointing at the second", () => {
    const error = parseError(GOOD.replace("name: empty_text", "name: un_founding"));
    expect(error.message).toContain(
      ":13:11: cases[1].name: duplicate case name 'un_founding' (also cases[0])",
    );
  });

  it("explains a missing key, a bad method, a threshold out of range and broken YAML", () => {
    expect(parseError("worker: w\ncases: []\n").message).toContain("required key 'scoring' is missing");
    expect(parseError("worker: w\nscoring: { method: fuzzy }\ncases: []\n").message).toContain(
      "method must be one of exact, field_match, llm_judge",
    );
    expect(
      parseError("worker: w\nscoring: { method: exact }\npass_threshold: 2\ncases: []\n").message,
    ).toContain(":3:17: pass_threshold: must be between 0 and 1 (got 2)");
    expect(parseError("worker: w\nscoring: [\n").message).toContain("not valid YAML");
    expect(parseError("").message).toContain("the file is empty");
    const issues = parseError("worker: W\nscoring: { method: llm_judge }\ncases: []\n").details
      .issues as unknown[];
    expect(issues).toHaveLength(2);
  });

  it("evalSuitePath refuses names that are not worker names", () => {
    expect(evalSuitePath("configs", "entity_extractor")).toBe(
      path.join("configs", "evals", "entity_extractor.yaml"),
    );
    for (const bad of ["../etc/passwd", "Entity", "a/b", "", "1abc"]) {
      expect(() => evalSuitePath("configs", bad)).toThrow(/is not a worker name/);
    }
  });

  it("saves atomically into a new folder and loads back the same suite", async () => {
    const suite: EvalSuite = parseSuite(GOOD, "s.yaml");
    const file = evalSuitePath(path.join(dir, "configs"), "entity_extractor");
    await saveSuite(file, suite);
    expect(await loadSuite(file)).toEqual(suite);
    expect(await readFile(file, "utf8")).toBe(stringifySuite(suite));
    expect(await readdir(path.dirname(file))).toEqual(["entity_extractor.yaml"]);
  });

  it("a missing suite file says so", async () => {
    await expect(loadSuite(path.join(dir, "nope.yaml"))).rejects.toThrow(/nope\.yaml does not exist/);
  });
});
