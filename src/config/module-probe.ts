/**
 * What `loom validate` says about a code ref (backend, tool provider, schema ref) it cannot import.
 * Validation checks a ref's syntax (an error when wrong) and tries to import it; a failed import is
 * only a warning, because the guide's examples name Python classes (`mypackage.backends.MyBackend`,
 * `myapp.contracts.MyWorkerInput`) that a config may legitimately point at before the code exists.
 * Loading for execution still fails.
 */
import { errorMessage } from "../errors.js";
import { MODULE_REF_PATTERN } from "./definitions/common.js";
import { isBuiltinRef, loadModuleRef } from "./module-ref.js";

/** The export a ref names, or why it cannot be imported (a message that says what to write). */
export type ProbedRef = { ok: true; value: unknown } | { ok: false; problem: string };

/** Ends the warning for a ref that cannot be imported. */
export const FAILS_WHEN_RUN = " — running it fails until this is fixed";

/** Imports the export `ref` names; a failure becomes a message instead of a throw. */
export async function probeRef(ref: string, fromFile: string): Promise<ProbedRef> {
  try {
    return { ok: true, value: await loadModuleRef(ref, fromFile) };
  } catch (error) {
    return { ok: false, problem: errorMessage(error) };
  }
}

/** Returns a warning message when `ref` cannot be imported as a class, else undefined. */
export async function probeClassRef(ref: string, fromFile: string): Promise<string | undefined> {
  // A malformed ref is already an error from the definition. Built-ins are Loom's own classes:
  // importing one only to look at it would load DuckDB on every `loom validate`.
  if (!MODULE_REF_PATTERN.test(ref) || isBuiltinRef(ref)) return undefined;
  const probed = await probeRef(ref, fromFile);
  if (!probed.ok) return `${probed.problem}${FAILS_WHEN_RUN}`;
  if (typeof probed.value !== "function") {
    return `'${ref}' is ${probed.value === undefined ? "undefined" : `a ${typeof probed.value}`}, not a class`;
  }
  return undefined;
}
