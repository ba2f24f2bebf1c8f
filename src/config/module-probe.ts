/**
 * What `loom validate` says about a backend or tool ref it cannot import. Validation checks a
 * ref's syntax (an error when wrong) and tries to import it; a failed import is only a warning,
 * because the guide's examples name Python classes (`mypackage.backends.MyBackend`) that a
 * config may legitimately point at before the code exists. Loading for execution still fails.
 */
import { errorMessage } from "../errors.js";
import { MODULE_REF_PATTERN } from "./definitions/common.js";
import { builtinNames, loadModuleRef } from "./module-ref.js";

/** Returns a warning message when `ref` cannot be imported as a class, else undefined. */
export async function probeClassRef(ref: string, fromFile: string): Promise<string | undefined> {
  // A malformed ref is already an error from the definition.
  if (!MODULE_REF_PATTERN.test(ref)) return undefined;
  if (!ref.includes("#") && !builtinNames().includes(ref)) {
    return (
      `cannot import '${ref}': dotted names work only for built-ins (loom.contrib.duckdb.*); ` +
      `write "<module>#<ExportName>", e.g. "./backends/my-backend.js#MyBackend" — running it fails until then`
    );
  }
  try {
    const value = await loadModuleRef(ref, fromFile);
    if (typeof value !== "function") {
      return `'${ref}' is ${value === undefined ? "undefined" : `a ${typeof value}`}, not a class`;
    }
    return undefined;
  } catch (error) {
    return `${errorMessage(error)} — running it will fail until this is fixed`;
  }
}
