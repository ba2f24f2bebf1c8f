import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatViolations, validateAgainstSchema } from "../../src/contracts/validate.js";

const ENTITIES = {
  type: "object",
  required: ["people", "places", "organizations", "count"],
  properties: {
    people: { type: "array", items: { type: "string" } },
    places: { type: "array", items: { type: "string" } },
    organizations: { type: "array", items: { type: "string" } },
    count: { type: "integer" },
  },
};

describe("validateAgainstSchema", () => {
  it("accepts a matching value", () => {
    expect(
      validateAgainstSchema(ENTITIES, { people: ["Ada"], places: [], organizations: [], count: 1 }),
    ).toEqual([]);
  });

  it("lists every violation with its path", () => {
    const violations = validateAgainstSchema(ENTITIES, { people: ["Ada", 7], places: "Paris", count: 1.5 });
    expect(violations).toEqual(
      expect.arrayContaining([
        { path: "people[1]", message: "must be string (got number 7)" },
        { path: "places", message: "must be array (got string)" },
        { path: "organizations", message: "is required" },
        { path: "count", message: "must be integer (got number 1.5)" },
      ]),
    );
    expect(violations).toHaveLength(4);
    expect(formatViolations(violations)).toContain("organizations: is required");
  });

  it("does not coerce: a boolean is not an integer, a numeric string is not a number", () => {
    const schema = { type: "object", properties: { n: { type: "integer" }, x: { type: "number" } } };
    expect(validateAgainstSchema(schema, { n: true })).toEqual([
      { path: "n", message: "must be integer (got boolean)" },
    ]);
    expect(validateAgainstSchema(schema, { x: "1" })).toEqual([
      { path: "x", message: "must be number (got string)" },
    ]);
  });

  it("checks nested objects, enums, minLength and formats", () => {
    const schema = {
      type: "object",
      properties: {
        text: { type: "string", minLength: 1 },
        kind: { enum: ["contract", "memo"] },
        contact: {
          type: "object",
          additionalProperties: false,
          properties: { email: { type: "string", format: "email" } },
        },
      },
    };
    const violations = validateAgainstSchema(schema, {
      text: "",
      kind: "letter",
      contact: { email: "not-an-email", phone: "1" },
    });
    expect(violations.map((v) => v.path).sort()).toEqual(["contact.email", "contact.phone", "kind", "text"]);
    expect(violations.find((v) => v.path === "kind")?.message).toBe(
      'must be one of ["contract","memo"] (got "letter")',
    );
  });

  it("validates a draft 2020-12 schema from z.toJSONSchema", () => {
    const schema = z.toJSONSchema(z.object({ tags: z.array(z.string()).min(1), id: z.uuid() })) as Record<
      string,
      unknown
    >;
    expect(schema.$schema).toContain("2020-12");
    expect(
      validateAgainstSchema(schema, { tags: ["a"], id: "3b241101-e2bb-4255-8caf-4136c566a962" }),
    ).toEqual([]);
    const paths = validateAgainstSchema(schema, { tags: [], id: "nope" }).map((v) => v.path);
    expect([...new Set(paths)].sort()).toEqual(["id", "tags"]);
  });

  it("rejects an invalid schema with config_error", () => {
    expect(() => validateAgainstSchema({ type: "objekt" }, {})).toThrow(
      expect.objectContaining({ code: "config_error" }),
    );
  });
});

describe("validateAgainstSchema: non-finite numbers", () => {
  it("rejects Infinity (what JSON.parse makes of 1e309) as an integer, naming the field and range", () => {
    const schema = { type: "object", properties: { limit: { type: "integer" } } };
    const violations = validateAgainstSchema(schema, JSON.parse('{"limit": 1e309}'));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.path).toBe("limit");
    expect(violations[0]?.message).toMatch(/must be a finite number between .* \(got Infinity\)/);
  });
});
