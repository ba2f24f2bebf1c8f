/** Code refs in configs: built-in dotted names, `<module>#<Export>`, and what a bad ref is told. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtinNames, loadModuleRef } from "../../src/config/module-ref.js";
import { FIXTURES, ROOT } from "./helpers.js";

const FROM = path.join(ROOT, "configs/workers/x.yaml");

describe("module refs", () => {
  it.each(builtinNames())("the built-in %s is a class", async (name) => {
    expect(typeof (await loadModuleRef(name, FROM))).toBe("function");
  });

  it("a dotted (Python-style) name names the module and export to write instead", async () => {
    await expect(loadModuleRef("myapp.contracts.MyWorkerInput", FROM)).rejects.toThrow(
      `cannot import 'myapp.contracts.MyWorkerInput': dotted (Python-style) names work only for built-ins (loom.contrib.duckdb.*); write "<module>#<ExportName>", e.g. "./myapp/contracts.js#MyWorkerInput"`,
    );
  });

  it("a module that does not exist names the file looked for, not Loom's own file", async () => {
    const error = await loadModuleRef("../backends/nope.js#Nope", FROM).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "config_error",
      message: `cannot load module '../backends/nope.js' (from '../backends/nope.js#Nope'): not found (looked for ${path.join(ROOT, "configs/backends/nope.js")})`,
    });
  });

  it("a missing export lists the exports there are", async () => {
    const contracts = path.join(FIXTURES, "refs/contracts.js");
    const error = await loadModuleRef(`${contracts}#Nope`, FROM).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "config_error", details: { export: "Nope" } });
    expect((error as Error).message).toMatch(/\/contracts\.js' has no export 'Nope' \(exports: [\w, ]+\)$/);
    expect(new Set((error as { details: { available: string[] } }).details.available)).toEqual(
      new Set(["SummaryInput", "SummaryOutput", "BrokenSchema", "notASchema"]),
    );
  });
});
