import { describe, expect, it } from "vitest";
import { extractJson } from "../../src/llm/json-extract.js";

describe("extractJson: finds the JSON a model meant", () => {
  it.each([
    ["plain JSON", '{"count": 2}', { count: 2 }],
    ["a ```json fence", 'Here you go:\n```json\n{"count": 2}\n```\nAnything else?', { count: 2 }],
    ["a bare ``` fence", '```\n{"count": 3}\n```', { count: 3 }],
    ["preamble and trailing prose", 'Sure! The result is {"count": 4} — hope that helps.', { count: 4 }],
    [
      "braces inside strings",
      'Result: {"note": "a } and a {", "count": 5} done',
      { note: "a } and a {", count: 5 },
    ],
    ["an escaped quote in a string", 'x {"q": "say \\"hi\\" }", "n": 1} y', { q: 'say "hi" }', n: 1 }],
    ["a stray brace before the object", 'use {braces} like {"count": 6}', { count: 6 }],
    ["the json fence before another fence", '```text\nnot json\n```\n```json\n{"a": 1}\n```', { a: 1 }],
  ])("%s", (_name, text, expected) => {
    expect(extractJson(text)).toEqual({ ok: true, value: expected });
  });

  it("reports why when there is no JSON", () => {
    expect(extractJson("I could not find any entities.")).toEqual({
      ok: false,
      reason: "the reply contains no JSON object",
    });
    expect(extractJson("   ")).toEqual({ ok: false, reason: "the reply is empty" });
  });

  it("does not accept truncated JSON", () => {
    expect(extractJson('{"people": ["Ada", "Gra').ok).toBe(false);
  });
});
