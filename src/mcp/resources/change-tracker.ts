/**
 * What the gateway last told clients about the workspace: each exposed file's size and mtime.
 * Both the file watcher and the check after each tool call reconcile against this one record, so
 * a change is announced once, whichever of them sees it first.
 */
import type { WorkspaceFile } from "./catalog.js";

/** Files that appeared, changed or disappeared, as relative paths. */
export interface WorkspaceChanges {
  created: string[];
  modified: string[];
  removed: string[];
}

/** True when nothing changed. */
export function isEmptyChange(changes: WorkspaceChanges): boolean {
  return changes.created.length + changes.modified.length + changes.removed.length === 0;
}

function signature(file: WorkspaceFile): string {
  return `${file.mtimeMs}:${file.size}`;
}

/**
 * The known state of the workspace, path → size and mtime ("changed since" snapshots).
 *
 * @example
 * const tracker = new ChangeTracker(await catalog.scan());
 * // ... a tool call runs ...
 * const { created, modified } = tracker.replaceAll(await catalog.scan());
 */
export class ChangeTracker {
  readonly #known = new Map<string, string>();

  constructor(files: readonly WorkspaceFile[] = []) {
    for (const file of files) this.#known.set(file.path, signature(file));
  }

  /** Number of files known. */
  get size(): number {
    return this.#known.size;
  }

  /** True when `relativePath` is a known file. */
  has(relativePath: string): boolean {
    return this.#known.has(relativePath);
  }

  /**
   * Records the current state of one path (`undefined`: it is gone or not exposed) and returns
   * what changed compared with what was known.
   */
  update(relativePath: string, file: WorkspaceFile | undefined): WorkspaceChanges {
    const changes: WorkspaceChanges = { created: [], modified: [], removed: [] };
    const before = this.#known.get(relativePath);
    if (file === undefined) {
      if (before !== undefined) {
        this.#known.delete(relativePath);
        changes.removed.push(relativePath);
      }
      return changes;
    }
    const now = signature(file);
    if (before === undefined) changes.created.push(relativePath);
    else if (before !== now) changes.modified.push(relativePath);
    this.#known.set(relativePath, now);
    return changes;
  }

  /** Replaces the whole state with a fresh scan and returns the differences. */
  replaceAll(files: readonly WorkspaceFile[]): WorkspaceChanges {
    const changes: WorkspaceChanges = { created: [], modified: [], removed: [] };
    const seen = new Set<string>();
    for (const file of files) {
      seen.add(file.path);
      const one = this.update(file.path, file);
      changes.created.push(...one.created);
      changes.modified.push(...one.modified);
    }
    for (const known of [...this.#known.keys()]) {
      if (!seen.has(known)) {
        this.#known.delete(known);
        changes.removed.push(known);
      }
    }
    return changes;
  }
}
