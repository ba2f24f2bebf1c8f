/** "Did you mean" hints for misspelt names, with fastest-levenshtein's `closest`. */
import { closest, distance } from "fastest-levenshtein";

/**
 * ` — did you mean 'x'?` when a known name is close to `name` (at most a third of its letters
 * differ), else "".
 */
export function suggest(name: string, known: readonly string[]): string {
  if (known.length === 0) return "";
  const best = closest(name, [...known]);
  const limit = Math.max(1, Math.ceil(name.length / 3));
  return best !== name && distance(name, best) <= limit ? ` — did you mean '${best}'?` : "";
}
