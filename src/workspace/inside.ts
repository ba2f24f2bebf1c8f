/** Path containment, lexically. */
import path from "node:path";

/**
 * True when `target` is `root` or lies below it (`/ws-evil` is not inside `/ws`; `/ws/..notes.md`
 * is).
 */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  const up = rel === ".." || rel.startsWith(`..${path.sep}`);
  return !up && !path.isAbsolute(rel);
}
