import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LoomSettings } from "../../../src/llm/settings.js";
import { type EvalSuite, runSuite } from "../../../src/workshop/eval/index.js";
import { entityExtractor, UN_ENTITIES, UN_TEXT } from "../../fixtures/entity-extractor.js";
import type { FakeLlm, FakeReply, RecordedRequest } from "../../fixtures/fake-llm-server.js";
import { startFakeLlm } from "../../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../../fixtures/fake-llm-settings.js";

const NONE = { people: [], places: [], organizations: [], count: 0 };

/** The worker's payload text, or undefined for a judge request. */
function workerText(request: RecordedRequest): string | undefined {
  if (request.system?.startsWith("You are a strict evaluator")) return undefined;
  return (JSON.parse(request.userText ?? "{}") as { text?: string }).text;
}

function suite(overrides: Partial<EvalSuite> = {}): EvalSuite {
  return {
    worker: "entity_extractor",
    scoring: { method: "exact" },
    pass_threshold: 1,
    cases: [
      { name: "un_founding", input: { text: UN_TEXT }, expected: UN_ENTITIES },
      { name: "no_entities", input: { text: "nothing at all" }, expected: NONE },
      {
        name: "wrong_count",
        input: { text: "Ann met Bo." },
        expected: { ...NONE, people: ["Ann", "Bo"], count: 2 },
      },
    ],
    ...overrides,
  };
}

let llm: FakeLlm;
let settings: LoomSettings;
const worker = entityExtractor();
beforeAll(async () => {
  llm = await startFakeLlm();
  settings = fakeLlmSettings(llm, "ollama");
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => llm.reset());

/** The fake model: right for the UN text and the empty one, one person short for "Ann met Bo.". */
function scriptedModel(request: RecordedRequest): FakeReply | undefined {
  const text = workerText(request);
  if (text === UN_TEXT) return { text: JSON.stringify(UN_ENTITIES), usage: { input: 40, output: 20 } };
  if (text === "nothing at all")
    return { text: `\`\`\`json\n${JSON.stringify(NONE)}\n\`\`\``, usage: { input: 30, output: 10 } };
  if (text === "Ann met Bo.")
    return { text: JSON.stringify({ ...NONE, people: ["Ann"], count: 1 }), usage: { input: 20, output: 10 } };
  return undefined;
}

describe("runSuite against a fake LLM", () => {
  it("scores each case, keeps suite order and summarizes", async () => {
    llm.setResponder(scriptedModel);
    const seen: string[] = [];
    const run = await runSuite(suite(), { worker, settings, onCase: (r) => seen.push(r.name) });
    expect(run.cases.map((c) => [c.name, c.passed, c.score])).toEqual([
      ["un_founding", true, 1],
      ["no_entities", true, 1],
      ["wrong_count", false, 0],
    ]);
    expect(seen.sort()).toEqual(["no_entities", "un_founding", "wrong_count"]);
    const failed = run.cases[2];
    expect(failed?.output).toEqual({ ...NONE, people: ["Ann"], count: 1 });
    expect(failed?.diff).toEqual([
      { path: "people[1]", kind: "removed", expected: "Bo" },
      { path: "count", kind: "changed", expected: 2, actual: 1 },
    ]);
    expect(failed?.model_used).toBe("fake-model");
    expect(failed?.raw_response).toContain('"Ann"');
    expect(run.summary).toMatchObject({
      cases: 3,
      passed: 2,
      failed: 1,
      errors: 0,
      tokens: { input: 90, output: 40 },
    });
    expect(run.summary.pass_rate).toBeCloseTo(2 / 3);
    expect(run).toMatchObject({
      worker: "entity_extractor",
      tier: "local",
      scoring: "exact",
      config_hash: "",
    });
    expect(run.id).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{8}$/);
    expect(run.aborted).toBeUndefined();
  });

  it("field_match gives partial credit by weight", async () => {
    llm.setResponder(scriptedModel);
    const run = await runSuite(
      suite({
        scoring: { method: "field_match", fields: { people: { weight: 3 }, count: { tolerance: 1 } } },
        pass_threshold: 0.9,
      }),
      { worker, settings },
    );
    expect(run.cases.map((c) => [c.name, c.score, c.passed])).toEqual([
      ["un_founding", 1, true],
      ["no_entities", 1, true],
      ["wrong_count", 0.25, false],
    ]);
  });

  it("an LLM 500 becomes that case's error; the other cases still run", async () => {
    llm.setResponder((request) =>
      workerText(request) === "nothing at all"
        ? { status: 500, message: "model crashed" }
        : scriptedModel(request),
    );
    const run = await runSuite(suite(), { worker, settings, tier: "standard" });
    const errored = run.cases[1];
    expect(errored).toMatchObject({ name: "no_entities", passed: false, score: 0, output: null, diff: [] });
    expect(errored?.error?.code).toBe("llm_error");
    expect(errored?.error?.message).toContain("500");
    expect(run.cases[0]?.passed).toBe(true);
    expect(run.summary).toMatchObject({ passed: 1, failed: 1, errors: 1 });
    expect(run.tier).toBe("standard");
  });

  it("llm_judge scores with the judge's JSON verdict and keeps its reason", async () => {
    llm.setResponder((request) => {
      if (workerText(request) !== undefined) return scriptedModel(request);
      const question = JSON.parse(request.userText ?? "{}") as { rubric: string; actual: { count: number } };
      expect(question.rubric).toBe("All people must be found.");
      const score = question.actual.count === 1 ? 0.5 : 0.9;
      return {
        text: JSON.stringify({ score, reason: `count is ${question.actual.count}` }),
        usage: { input: 7, output: 3 },
      };
    });
    const run = await runSuite(
      suite({
        scoring: { method: "llm_judge", rubric: "All people must be found.", tier: "frontier" },
        pass_threshold: 0.8,
      }),
      { worker, settings },
    );
    expect(run.scoring).toBe("llm_judge");
    expect(run.cases.map((c) => [c.name, c.score, c.passed, c.judge_reason])).toEqual([
      ["un_founding", 0.9, true, "count is 3"],
      ["no_entities", 0.9, true, "count is 0"],
      ["wrong_count", 0.5, false, "count is 1"],
    ]);
    expect(run.cases[0]?.judge_token_usage).toEqual({ input: 7, output: 3 });
    expect(run.summary.tokens).toEqual({ input: 90, output: 40 });
    expect(llm.chatRequests()).toHaveLength(6);
  });

  it("a malformed judge reply is a case error, not a crash", async () => {
    llm.setResponder((request) => {
      if (workerText(request) !== undefined) return scriptedModel(request);
      const question = JSON.parse(request.userText ?? "{}") as { actual: { count: number } };
      if (question.actual.count === 3) return { text: "I think it is pretty good!" };
      if (question.actual.count === 0) return { text: '{"score": 7, "reason": "great"}' };
      return { text: '{"score": 1, "reason": "fine"}' };
    });
    const run = await runSuite(suite({ scoring: { method: "llm_judge", rubric: "Be right." } }), {
      worker,
      settings,
    });
    expect(run.cases[0]?.error).toMatchObject({ code: "invalid_output" });
    expect(run.cases[0]?.error?.message).toContain("not JSON");
    expect(run.cases[0]?.output).toEqual(UN_ENTITIES);
    expect(run.cases[1]?.error?.message).toContain("the judge's score is 7, not a number from 0 to 1");
    expect(run.cases[2]).toMatchObject({ passed: true, score: 1, error: null });
    expect(run.summary).toMatchObject({ passed: 1, errors: 2 });
  });

  it("never has more cases in flight than its concurrency", async () => {
    let active = 0;
    let most = 0;
    llm.setResponder(async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 40));
      active--;
      return { text: JSON.stringify(NONE) };
    });
    const many = Array.from({ length: 12 }, (_, i) => ({
      name: `case_${i}`,
      input: { text: `t${i}` },
      expected: NONE,
    }));
    const run = await runSuite(suite({ cases: many, concurrency: 5 }), { worker, settings, concurrency: 3 });
    expect(run.summary.passed).toBe(12);
    expect(most).toBe(3);
    const fromSuite = await runSuite(suite({ cases: many, concurrency: 5 }), { worker, settings });
    expect(fromSuite.summary.passed).toBe(12);
    expect(most).toBe(5);
  });

  it("aborting starts no more cases and cancels the running ones", async () => {
    llm.setResponder((request) =>
      workerText(request) === "slow"
        ? { text: JSON.stringify(NONE), delayMs: 10_000 }
        : { text: JSON.stringify(NONE) },
    );
    const controller = new AbortController();
    const cases = ["fast", "slow", "later_1", "later_2"].map((name) => ({
      name,
      input: { text: name },
      expected: NONE,
    }));
    const started = Date.now();
    const run = await runSuite(suite({ cases }), {
      worker,
      settings,
      concurrency: 2,
      signal: controller.signal,
      onCase: (result) => {
        if (result.name === "fast") controller.abort();
      },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.aborted).toBe(true);
    expect(run.cases.map((c) => [c.name, c.error?.code ?? null])).toEqual([
      ["fast", null],
      ["slow", "cancelled"],
    ]);
    expect(llm.chatRequests().map(workerText)).toEqual(["fast", "slow"]);
  });

  it("refuses a suite written for another worker and a judge tier with no backend", async () => {
    await expect(runSuite(suite({ worker: "summarizer" }), { worker, settings })).rejects.toThrow(
      /suite is for worker 'summarizer', not 'entity_extractor'/,
    );
    const noStandard: LoomSettings = { ...settings, tiers: { local: settings.tiers.local } };
    await expect(
      runSuite(suite({ scoring: { method: "llm_judge", rubric: "r" } }), { worker, settings: noStandard }),
    ).rejects.toMatchObject({ code: "config_error" });
    expect(llm.chatRequests()).toHaveLength(0);
  });
});
