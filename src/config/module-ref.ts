import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorMessage, LoomError } from "../errors.js";

/**
 * Built-in exports reachable by the guide's dotted (Python) names. The table maps each alias to a
 * module of this package and an export; the module is imported only when a config names it, so
 * DuckDB is never loaded by a gateway that does not use it.
 */
const BUILTINS: Record<string, { module: string; export: string }> = {
  "loom.contrib.duckdb.DuckDBQueryBackend": {
    module: "../contrib/duckdb/index.js",
    export: "DuckDBQueryBackend",
  },
  "loom.contrib.duckdb.query_backend.DuckDBQueryBackend": {
    module: "../contrib/duckdb/index.js",
    export: "DuckDBQueryBackend",
  },
  "loom.contrib.duckdb.DuckDBViewTool": { module: "../contrib/duckdb/index.js", export: "DuckDBViewTool" },
  "loom.contrib.duckdb.DuckDBVectorTool": {
    module: "../contrib/duckdb/index.js",
    export: "DuckDBVectorTool",
  },
};

/** The dotted names of built-in exports, for error messages. */
export function builtinNames(): string[] {
  return Object.keys(BUILTINS).sort();
}

/** True when `ref` is the dotted name of a built-in export. */
export function isBuiltinRef(ref: string): boolean {
  return Object.hasOwn(BUILTINS, ref);
}

/**
 * Loads the export a config names: `"<module specifier>#<ExportName>"`, resolved relative to the
 * config file (`./backends/csv.js#CsvBackend`, `my-pkg/tools#LookupTool`), or a registered dotted
 * alias. Throws a `config_error` naming the module and export when it cannot be loaded.
 *
 * @example await loadModuleRef("./backends/csv.js#CsvBackend", "/app/configs/workers/csv.yaml")
 */
export async function loadModuleRef(ref: string, fromFile: string | undefined): Promise<unknown> {
  const builtin = isBuiltinRef(ref) ? BUILTINS[ref] : undefined;
  if (builtin) {
    const mod = (await import(new URL(builtin.module, import.meta.url).href)) as Record<string, unknown>;
    return mod[builtin.export];
  }
  const hash = ref.lastIndexOf("#");
  if (hash <= 0 || hash === ref.length - 1) {
    throw new LoomError("config_error", `cannot import '${ref}': ${refHint(ref)}`, { details: { ref } });
  }
  const specifier = ref.slice(0, hash);
  const exportName = ref.slice(hash + 1);
  const isRelative = specifier.startsWith("./") || specifier.startsWith("../");
  const baseDir = fromFile ? path.dirname(path.resolve(fromFile)) : process.cwd();
  const target =
    isRelative || path.isAbsolute(specifier)
      ? pathToFileURL(path.resolve(baseDir, specifier)).href
      : resolveBare(specifier, baseDir);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (cause) {
    // Node's "Cannot find module X imported from <this file>" names Loom's file, not the user's.
    const notFound = (cause as { code?: unknown } | null)?.code === "ERR_MODULE_NOT_FOUND";
    const why = notFound
      ? `not found (looked for ${target.startsWith("file:") ? fileURLToPath(target) : `package '${specifier}'`})`
      : errorMessage(cause);
    throw new LoomError("config_error", `cannot load module '${specifier}' (from '${ref}'): ${why}`, {
      details: { ref, module: specifier },
      cause,
    });
  }
  if (!(exportName in mod)) {
    const available = Object.keys(mod).filter((k) => k !== "default");
    throw new LoomError(
      "config_error",
      `module '${specifier}' has no export '${exportName}' (exports: ${available.join(", ") || "none"})`,
      { details: { ref, module: specifier, export: exportName, available } },
    );
  }
  return mod[exportName];
}

/**
 * What to write instead of a ref without `#`. A dotted (Python-style) name such as the guide's
 * `myapp.contracts.MyWorkerInput` gets the module and export it most likely means.
 */
function refHint(ref: string): string {
  const dot = ref.lastIndexOf(".");
  if (!ref.includes("#") && dot > 0 && /^[\w.]+$/.test(ref)) {
    const module = `./${ref.slice(0, dot).replaceAll(".", "/")}.js`;
    const exportName = ref.slice(dot + 1);
    return (
      `dotted (Python-style) names work only for built-ins (loom.contrib.duckdb.*); write ` +
      `"<module>#<ExportName>", e.g. "${module}#${exportName}"`
    );
  }
  return `expected "<module>#<ExportName>" (e.g. "./backends/my-backend.js#MyBackend") or a built-in name (${builtinNames().join(", ")})`;
}

/**
 * Resolves a bare package specifier from the config's folder (the user's project), falling back
 * to Loom's own dependencies. CommonJS resolution is used because Node 20 lacks the two-argument
 * `import.meta.resolve`; packages that only export an `import` condition fall through to `import()`.
 */
function resolveBare(specifier: string, baseDir: string): string {
  try {
    return pathToFileURL(createRequire(path.join(baseDir, "noop.js")).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}
