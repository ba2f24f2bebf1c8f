/** buildPipelineGraph: the dependency graph of a pipeline and the problems a user would fix. */
import { describe, expect, it } from "vitest";
import { buildPipelineGraph, type WorkerSchemas } from "../../../src/workshop/graph/index.js";
import { analysisPipeline, guideWorkers } from "./helpers.js";

const workers = await guideWorkers();

/** A worker contract from its input and output properties, with every input required. */
function worker(input: Record<string, unknown>, output: Record<string, unknown>): WorkerSchemas {
  return {
    inputSchema: { type: "object", required: Object.keys(input), properties: input },
    outputSchema: { type: "object", properties: output },
  };
}

describe("buildPipelineGraph", () => {
  it("the guide's analysis_pipeline: classify and summarize both read extract, on level 1, no problems", async () => {
    const graph = buildPipelineGraph(await analysisPipeline(), workers);
    expect(graph.name).toBe("analysis_pipeline");
    expect(graph.problems).toEqual([]);
    expect(graph.levels).toEqual([["extract"], ["classify", "summarize"]]);
    expect(graph.stages.map((s) => [s.name, s.workerType, s.tier, s.level])).toEqual([
      ["extract", "doc_extractor", "local", 0],
      ["classify", "doc_classifier", "local", 1],
      ["summarize", "entity_extractor", "local", 1],
    ]);
    expect(graph.edges).toEqual([
      {
        from: "extract",
        to: "classify",
        kind: "mapping",
        fields: ["text_preview", "page_count"],
        problems: [],
      },
      { from: "extract", to: "summarize", kind: "mapping", fields: ["text"], problems: [] },
    ]);
  });

  it("a mapping to an output field the producer does not have is a problem on its edge, listing the fields", async () => {
    const pipeline = await analysisPipeline();
    (pipeline.pipeline_stages[1]?.input_mapping as Record<string, string>).page_count =
      "extract.output.no_such_field";
    const graph = buildPipelineGraph(pipeline, workers);
    const edge = graph.edges.find((e) => e.to === "classify");
    expect(edge?.problems).toEqual([
      {
        severity: "error",
        message:
          "classify.input_mapping.page_count: doc_extractor (stage extract) has no output field 'no_such_field' (its output fields: text_preview, page_count)",
        stage: "classify",
        field: "page_count",
        edge: { from: "extract", to: "classify" },
      },
    ]);
    expect(graph.problems).toEqual(edge?.problems);
    expect(graph.edges.find((e) => e.to === "summarize")?.problems).toEqual([]);
  });

  it("nested paths are checked as deep as the producer's schema declares properties", () => {
    const nested = worker(
      { x: {} },
      { meta: { type: "object", properties: { pages: { type: "integer" } } }, raw: { type: "object" } },
    );
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "a", worker_type: "nested", input_mapping: { x: "goal.context.x" } },
          {
            name: "b",
            worker_type: "nested",
            input_mapping: { x: "a.output.meta.pagse" },
          },
          { name: "c", worker_type: "nested", input_mapping: { x: "a.output.raw.anything.deep" } },
        ],
      },
      new Map([["nested", nested]]),
    );
    expect(graph.problems.map((p) => p.message)).toEqual([
      "b.input_mapping.x: nested (stage a) has no field 'pagse' in a.output.meta — did you mean 'pages'? (fields there: pages)",
    ]);
  });

  it("an unknown worker_type suggests the closest known worker", async () => {
    const pipeline = await analysisPipeline();
    pipeline.pipeline_stages[2] = { ...pipeline.pipeline_stages[2], worker_type: "entity_extracter" };
    const graph = buildPipelineGraph(pipeline, workers);
    expect(graph.problems).toHaveLength(1);
    expect(graph.problems[0]).toMatchObject({ severity: "error", stage: "summarize", field: "worker_type" });
    expect(graph.problems[0]?.message).toMatch(
      /^stage 'summarize': no worker named 'entity_extracter' — did you mean 'entity_extractor'\? \(workers: classifier, doc_classifier, doc_extractor, entity_extractor, summarizer\)$/,
    );
  });

  it("a mapping from an unknown stage is a stage problem with a suggestion, and draws no edge", async () => {
    const pipeline = await analysisPipeline();
    pipeline.pipeline_stages[2] = {
      ...pipeline.pipeline_stages[2],
      input_mapping: { text: "extrct.output.text_preview" },
    };
    const graph = buildPipelineGraph(pipeline, workers);
    expect(graph.edges.map((e) => e.to)).toEqual(["classify"]);
    expect(graph.problems).toEqual([
      {
        severity: "error",
        message:
          "summarize.input_mapping.text: 'extrct.output.text_preview' reads unknown stage 'extrct' — did you mean 'extract'? (a path starts with goal or a stage: goal, extract, classify, summarize)",
        stage: "summarize",
        field: "text",
      },
    ]);
    expect(graph.levels).toEqual([["extract", "summarize"], ["classify"]]);
  });

  it("a required input no mapping fills is reported with a likely source", async () => {
    const pipeline = await analysisPipeline();
    pipeline.pipeline_stages[1] = {
      ...pipeline.pipeline_stages[1],
      input_mapping: { text_preview: "extract.output.text_preview" },
    };
    const graph = buildPipelineGraph(pipeline, workers);
    expect(graph.problems).toEqual([
      {
        severity: "error",
        message:
          "stage 'classify': required input 'page_count' of doc_classifier is not filled by input_mapping (mapped: text_preview); add e.g. page_count: \"extract.output.page_count\"",
        stage: "classify",
        field: "page_count",
      },
    ]);
  });

  it("types: integer into number fits, number into integer warns, anything into a string input is an error", () => {
    const producer = worker(
      {},
      {
        n: { type: "number" },
        i: { type: "integer" },
        s: { type: ["string", "null"] },
        list: { type: "array" },
      },
    );
    const consumer = worker({}, {});
    consumer.inputSchema = {
      type: "object",
      properties: {
        num: { type: "number" },
        int: { type: "integer" },
        str: { type: "string" },
        text: { type: "string" },
      },
    };
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "a", worker_type: "producer", input_mapping: {} },
          {
            name: "b",
            worker_type: "consumer",
            input_mapping: { num: "a.output.i", int: "a.output.n", str: "a.output.s", text: "a.output.list" },
          },
        ],
      },
      new Map([
        ["producer", producer],
        ["consumer", consumer],
      ]),
    );
    expect(graph.problems.map((p) => [p.field, p.severity, p.message])).toEqual([
      [
        "int",
        "warning",
        "b.input_mapping.int: 'a.output.n' is number but consumer.int takes integer; some values may fail consumer's input_schema",
      ],
      [
        "str",
        "warning",
        "b.input_mapping.str: 'a.output.s' is string | null but consumer.str takes string; some values may fail consumer's input_schema",
      ],
      [
        "text",
        "error",
        "b.input_mapping.text: 'a.output.list' is array but consumer.text takes string; map a string field or change one of the schemas",
      ],
    ]);
    expect(graph.edges[0]?.problems).toHaveLength(3);
  });

  it("a cycle puts its stages on level -1 and its problem on every edge of the cycle", () => {
    const any = worker({}, { x: {}, y: {} });
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "start", worker_type: "w", input_mapping: { x: "goal.context.x" } },
          { name: "a", worker_type: "w", input_mapping: { x: "start.output.x", y: "c.output.y" } },
          { name: "b", worker_type: "w", input_mapping: { x: "a.output.x" } },
          { name: "c", worker_type: "w", input_mapping: { x: "b.output.x" } },
          { name: "after", worker_type: "w", input_mapping: { x: "start.output.x" } },
        ],
      },
      new Map([["w", any]]),
    );
    expect(graph.stages.map((s) => [s.name, s.level])).toEqual([
      ["start", 0],
      ["a", -1],
      ["b", -1],
      ["c", -1],
      ["after", 1],
    ]);
    expect(graph.levels).toEqual([["start"], ["after"]]);
    expect(graph.problems).toHaveLength(1);
    const cycle = graph.problems[0];
    expect(cycle?.message).toBe(
      "dependency cycle a → c → b → a: 'a' waits for 'c', which waits for 'b', which waits for 'a', so none of them can ever start — remove one of these reads or depends_on entries",
    );
    const withCycle = graph.edges
      .filter((e) => e.problems.includes(cycle as never))
      .map((e) => `${e.from}→${e.to}`);
    expect(withCycle.sort()).toEqual(["a→b", "b→c", "c→a"]);
  });

  it("depends_on and condition edges have their own kinds; a read depends_on does not wait for is an error", () => {
    const any = worker({}, { text: { type: "string" }, needs_ocr: { type: "boolean" } });
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "extract", worker_type: "w", input_mapping: { f: "goal.context.f" } },
          {
            name: "ocr",
            worker_type: "w",
            condition: "extract.output.needs_ocr == true",
            input_mapping: { f: "goal.context.f" },
          },
          { name: "classify", worker_type: "w", input_mapping: { text: "extract.output.text" } },
          {
            name: "summarize",
            worker_type: "w",
            depends_on: ["classify"],
            input_mapping: { text: "ocr.output.text" },
          },
        ],
      },
      new Map([["w", any]]),
    );
    expect(graph.edges.map((e) => [e.from, e.to, e.kind, e.fields])).toEqual([
      ["extract", "ocr", "condition", []],
      ["extract", "classify", "mapping", ["text"]],
      ["ocr", "summarize", "mapping", ["text"]],
      ["classify", "summarize", "depends_on", []],
    ]);
    expect(graph.stages.find((s) => s.name === "ocr")?.condition).toBe("extract.output.needs_ocr == true");
    expect(graph.levels).toEqual([["extract"], ["ocr", "classify"], ["summarize"]]);
    expect(graph.problems).toEqual([
      {
        severity: "error",
        message:
          "stage 'summarize' reads 'ocr' (input text) but its depends_on [classify] does not wait for 'ocr', so the value is not there when it starts — add 'ocr' to depends_on",
        stage: "summarize",
        edge: { from: "ocr", to: "summarize" },
      },
    ]);
  });

  it("malformed input never throws: every unreadable part is a problem", () => {
    const inputs: unknown[] = [
      undefined,
      null,
      "text",
      [],
      {},
      { name: 3, pipeline_stages: "x" },
      {
        name: "p",
        pipeline_stages: [
          null,
          7,
          { worker_type: "w" },
          {
            name: "a",
            worker_type: 5,
            input_mapping: { x: 3, y: null, z: "::bad::", __proto__: "a.output.x" },
          },
          { name: "a", worker_type: "w" },
          {
            name: "constructor",
            worker_type: "toString",
            input_mapping: ["x"],
            depends_on: "a",
            condition: 1,
          },
          { name: "b", worker_type: "w", input_mapping: { x: "goal.secret", y: "a.value", z: "b.output.x" } },
          { name: "c", worker_type: "w", depends_on: ["nope", 4, "c"], condition: "a.output.x === 1" },
        ],
      },
    ];
    for (const input of inputs) {
      const graph = buildPipelineGraph(input, new Map([["w", worker({}, { x: { type: "string" } })]]));
      expect(graph.problems.length, JSON.stringify(input)).toBeGreaterThan(0);
      for (const p of graph.problems) expect(p.message.length).toBeGreaterThan(20);
    }
    const last = buildPipelineGraph(inputs.at(-1), new Map([["w", worker({}, { x: { type: "string" } })]]));
    expect(last.stages.map((s) => s.name)).toEqual(["a", "constructor", "b", "c"]);
    expect(last.problems.map((p) => p.message)).toContain(
      "pipeline_stages[4]: duplicate stage name 'a' (also pipeline_stages[3]); only the first is drawn — rename one",
    );
    expect(last.problems.map((p) => p.message)).toContain(
      "b.input_mapping.x: 'goal.secret' reads goal.secret, which a goal does not have (a goal has context, instruction, goal_id, e.g. goal.context.file_ref)",
    );
  });
});
