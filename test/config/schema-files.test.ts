/**
 * One source of truth: the shipped schemas/*.schema.json are generated from the config definitions
 * (regenerate with `npx tsx src/config/write-schemas.ts`), editors find them from every config, and
 * they accept the shipped configs and reject what the validator rejects.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { detectKind, schemaFileName } from "../../src/config/index.js";
import { ConfigKind } from "../../src/config/types.js";
import { configFilesIn } from "../../src/config/validate-targets.js";
import { schemaFileText } from "../../src/config/write-schemas.js";
import { ROOT } from "./helpers.js";

const SCHEMAS = path.join(ROOT, "schemas");

async function compiled(kind: ConfigKind) {
  const schema: unknown = JSON.parse(await readFile(path.join(SCHEMAS, schemaFileName(kind)), "utf8"));
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema as Record<string, unknown>);
}

describe("shipped JSON Schema files", () => {
  it.each(Object.values(ConfigKind))(
    "schemas/%s.schema.json is up to date with the definitions",
    async (kind) => {
      const shipped = await readFile(path.join(SCHEMAS, schemaFileName(kind)), "utf8");
      expect(shipped, "run: npx tsx src/config/write-schemas.ts").toBe(schemaFileText(kind));
    },
  );

  it("every shipped config names its kind's schema by a path that exists, and matches it", async () => {
    const files = await configFilesIn(path.join(ROOT, "configs"));
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      const text = await readFile(file, "utf8");
      const match = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
      expect(match, `${file} starts with the yaml-language-server line`).not.toBeNull();
      const data: unknown = parse(text);
      const kind = detectKind(data, file) as ConfigKind;
      const schemaPath = path.resolve(path.dirname(file), match?.[1] ?? "");
      expect(schemaPath, file).toBe(path.join(SCHEMAS, schemaFileName(kind)));
      const validate = await compiled(kind);
      expect(validate(data) ? [] : validate.errors, file).toEqual([]);
    }
  });

  it("rejects a typo'd key, a bad tier and a non-positive timeout, as editors will show", async () => {
    const validate = await compiled("worker");
    expect(validate({ name: "w", system_prompt: "x" })).toBe(true);
    expect(validate({ name: "w", sytem_prompt: "x" })).toBe(false);
    expect(validate({ name: "w", default_model_tier: "fast" })).toBe(false);
    expect(validate({ name: "w", timeout_seconds: 0 })).toBe(false);
    const pipeline = await compiled("pipeline");
    expect(pipeline({ name: "p", pipeline_stages: [] })).toBe(false);
  });
});
