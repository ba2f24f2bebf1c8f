import { describe, expect, it } from "vitest";
import { parsePath } from "../../src/config/mapping-path.js";
import { lookupPath } from "../../src/pipeline/index.js";

const scope = {
  goal: { context: { file_ref: "a.pdf" }, goal_id: "g" },
  extract: { output: { meta: null, title: "T", pages: [{ n: 1 }], count: 0, flag: false } },
};
const look = (path: string) => lookupPath(scope, parsePath(path)!);

describe("lookupPath", () => {
  it("returns falsy values that are there (0, false, null) as found", () => {
    expect(look("extract.output.count")).toEqual({ found: true, value: 0 });
    expect(look("extract.output.flag")).toEqual({ found: true, value: false });
    expect(look("extract.output.meta")).toEqual({ found: true, value: null });
    expect(look("extract.output.pages[0].n")).toEqual({ found: true, value: 1 });
  });

  it.each([
    ["extract.output.meta.pages", "extract.output.meta is null"],
    ["extract.output.title.length", "extract.output.title is a string"],
    ["extract.output.pages.n", "extract.output.pages is an array of length 1"],
    ["extract.output[0]", "extract.output has keys meta, title, pages, count, flag"],
    ["goal.instruction", "goal has keys context, goal_id"],
    ["classify.output.label", "no output from stage 'classify' (stages with output: extract)"],
    ["extract.output.constructor", "extract.output has keys meta, title, pages, count, flag"],
  ])("'%s' is not found: %s", (path, reason) => {
    expect(look(path)).toEqual({ found: false, reason });
  });
});
