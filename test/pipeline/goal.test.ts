import { describe, expect, it } from "vitest";
import { parseContextPairs, parseGoalJson } from "../../src/pipeline/index.js";

describe("goal from the command line", () => {
  it("parses key=value pairs, keeping values as strings and splitting at the first '='", () => {
    expect(parseContextPairs(["file_ref=report.pdf", "pages=3", "query=a=b", "empty="])).toEqual({
      file_ref: "report.pdf",
      pages: "3",
      query: "a=b",
      empty: "",
    });
  });

  it.each(["novalue", "=x"])("rejects the pair '%s' with an example of the right form", (pair) => {
    expect(() => parseContextPairs([pair])).toThrow(
      /expected key=value \(e\.g\. --context file_ref=report\.pdf\)/,
    );
  });

  it("parses a JSON goal with typed values and gives it an id when it has none", () => {
    const goal = parseGoalJson('{"instruction": "Summarize", "context": {"pages": 3, "ocr": true}}');
    expect(goal.context).toEqual({ pages: 3, ocr: true });
    expect(goal.instruction).toBe("Summarize");
    expect(goal.goal_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(parseGoalJson('{"goal_id": "mine", "context": {}}').goal_id).toBe("mine");
  });

  it.each([
    ["{not json", /--goal: not valid JSON/],
    ["[1]", /--goal: expected a JSON object/],
    ['{"text": "hi"}', /"context" must be an object \(got nothing\)/],
    ['{"context": {}, "instruction": 1}', /"instruction" must be a string/],
    ['{"context": {}, "goal_id": ""}', /"goal_id" must be a non-empty string/],
  ])("rejects %s", (text, message) => {
    expect(() => parseGoalJson(text)).toThrow(message);
  });
});
