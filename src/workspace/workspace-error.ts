import { LoomError, type LoomErrorOptions } from "../errors.js";

/**
 * A workspace ref was refused (it would leave the workspace) or the file could not be read or
 * written. Code `workspace_error`; `details.ref` and `details.reason` say which ref and why.
 */
export class WorkspaceError extends LoomError {
  constructor(message: string, options: Omit<LoomErrorOptions, "category"> = {}) {
    super("workspace_error", message, { ...options, category: "user" });
  }
}
