/**
 * File-ref resolution (Part 6 of the guide): payload fields named in `resolve_file_refs` hold a
 * path inside `workspace_dir`; the JSON file it names is read and added as `<field>_content`.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import type { WorkerConfig } from "../config/types.js";
import { LoomError } from "../errors.js";
import { WorkspaceError } from "../workspace/workspace-error.js";
import { WorkspaceManager } from "../workspace/workspace-manager.js";
import { workerPath } from "./worker-path.js";

/**
 * Returns a copy of `payload` with `<field>_content` added for each field of
 * `config.resolveFileRefs` present in the payload, holding the parsed JSON of the file the field
 * names inside `config.workspaceDir`. Fields absent from the payload are skipped (the input schema
 * decides whether they are required). The payload itself is not changed.
 *
 * Throws LoomError `invalid_input` naming the field and file when the value is not a string, the
 * ref leaves the workspace, or the file is missing or not JSON; `config_error` when
 * `resolve_file_refs` is set without `workspace_dir`.
 *
 * @example
 * // workspace_dir: /tmp/ws, resolve_file_refs: [file_ref]
 * await resolveFileRefs(config, { file_ref: "report.json" });
 * // → { file_ref: "report.json", file_ref_content: { ...parsed report.json } }
 */
export async function resolveFileRefs(
  config: WorkerConfig,
  payload: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const fields = config.resolveFileRefs ?? [];
  if (fields.length === 0) return payload;
  if (!config.workspaceDir) {
    throw new LoomError(
      "config_error",
      `worker '${config.name}': resolve_file_refs (${fields.join(", ")}) requires workspace_dir to be set`,
      { details: { worker: config.name, resolve_file_refs: fields } },
    );
  }
  const root = workerPath(config, config.workspaceDir);
  if (!existsSync(root)) {
    // On the mesh a worker may run on a machine without the workspace: say where it looked.
    throw new LoomError(
      "workspace_error",
      `worker '${config.name}' cannot see its workspace: ${root} does not exist on host ${hostname()}. ` +
        "File refs are resolved where the worker runs: mount or copy the workspace there, or fix workspace_dir",
      { details: { worker: config.name, workspace_dir: root, host: hostname() } },
    );
  }
  const workspace = new WorkspaceManager(root);
  const result: Record<string, unknown> = { ...payload };
  for (const field of fields) {
    const ref = payload[field];
    if (ref === undefined || ref === null) continue;
    if (typeof ref !== "string") {
      throw new LoomError(
        "invalid_input",
        `payload.${field}: a file ref must be a string path relative to the workspace (got ${typeof ref})`,
        { details: { field } },
      );
    }
    try {
      result[`${field}_content`] = await workspace.readJson(ref);
    } catch (cause) {
      if (!(cause instanceof WorkspaceError)) throw cause;
      throw new LoomError(
        "invalid_input",
        `payload.${field}: cannot resolve file ref '${ref}': ${cause.message}`,
        {
          details: { field, file: ref, reason: cause.details.reason },
          cause,
        },
      );
    }
  }
  return result;
}
