import { describe, expect, it } from "vitest";
import { jsonDiff, scoreExact, scoreFields } from "../../../src/workshop/eval/index.js";

describe("scoring", () => {
  it("exact: deep equality, key order irrelevant, array order relevant", () => {
    expect(scoreExact({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(1);
    expect(scoreExact({ a: [1, 2] }, { a: [2, 1] })).toBe(0);
    expect(scoreExact({ a: 1 }, { a: 1, extra: true })).toBe(0);
    expect(scoreExact({ a: 1 }, null)).toBe(0);
  });

  it("field_match: each field of expected counts once by default", () => {
    const expected = { people: ["Ann"], places: [], count: 1 };
    expect(scoreFields(expected, { people: ["Ann"], places: [], count: 1, extra: 9 })).toBe(1);
    expect(scoreFields(expected, { people: ["Ann"], places: ["Rome"], count: 1 })).toBeCloseTo(2 / 3);
    expect(scoreFields(expected, null)).toBe(0);
  });

  it("field_match: weights and numeric tolerance", () => {
    const expected = { people: ["Ann", "Bo"], count: 10 };
    const fields = { people: { weight: 3 }, count: { tolerance: 0.5 } };
    expect(scoreFields(expected, { people: ["Ann", "Bo"], count: 10.4 }, fields)).toBe(1);
    expect(scoreFields(expected, { people: ["Ann", "Bo"], count: 11 }, fields)).toBe(0.75);
    expect(scoreFields(expected, { people: ["Ann"], count: 10 }, fields)).toBe(0.25);
    // only the listed fields count
    expect(scoreFields({ a: 1, b: 2 }, { a: 1, b: 3 }, { a: {} })).toBe(1);
  });

  it("field_match: nested values compare deeply", () => {
    expect(
      scoreFields({ address: { city: "Rome", zip: "00100" } }, { address: { zip: "00100", city: "Rome" } }),
    ).toBe(1);
    expect(scoreFields({ address: { city: "Rome" } }, { address: { city: "Milan" } })).toBe(0);
  });
});

describe("jsonDiff", () => {
  it("names array items and nested keys by path", () => {
    expect(
      jsonDiff(
        { people: ["Ann", "Bo"], address: { city: "Rome", zip: "1" }, count: 2 },
        { people: ["Ann", "Bob", "Cy"], address: { city: "Milan" }, count: 2, note: "x" },
      ),
    ).toEqual([
      { path: "people[1]", kind: "changed", expected: "Bo", actual: "Bob" },
      { path: "people[2]", kind: "added", actual: "Cy" },
      { path: "address.city", kind: "changed", expected: "Rome", actual: "Milan" },
      { path: "address.zip", kind: "removed", expected: "1" },
      { path: "note", kind: "added", actual: "x" },
    ]);
  });

  it("is empty for equal values and one entry for a change of type", () => {
    expect(jsonDiff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(jsonDiff({ a: [1] }, { a: { 0: 1 } })).toEqual([
      { path: "a", kind: "changed", expected: [1], actual: { 0: 1 } },
    ]);
    expect(jsonDiff({ "odd key": [{ x: 1 }] }, { "odd key": [{ x: 2 }] })[0]?.path).toBe('["odd key"][0].x');
  });
});
