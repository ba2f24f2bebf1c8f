/**
 * Dotted paths used by input_mapping and conditions: `goal.context.file_ref`,
 * `extract.output.meta.pages`, `extract.output.items[0]`.
 */

export type PathSegment = string | number;

/** Splits a path into segments; array indices become numbers. Returns undefined when malformed. */
export function parsePath(path: string): PathSegment[] | undefined {
  if (!/^[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*$/.test(path)) return undefined;
  const segments: PathSegment[] = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    segments.push(part.startsWith("[") ? Number(part.slice(1, -1)) : part);
  }
  return segments;
}

/** The stage a path reads from (`extract` in `extract.output.x`), or undefined for `goal.*`. */
export function sourceStage(path: string): string | undefined {
  const first = path.split(/[.[]/, 1)[0];
  return first === "goal" || first === undefined ? undefined : first;
}
