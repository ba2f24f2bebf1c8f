/**
 * JSON extraction from model text. Models wrap JSON in markdown fences, put prose before or after
 * it, or embed an object in a sentence; this finds the JSON value the reply is about.
 */

/** The outcome of {@link extractJson}. */
export type JsonExtraction = { ok: true; value: unknown } | { ok: false; reason: string };

const FENCE = /```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n([\s\S]*?)```/g;

/**
 * Extracts a JSON value from a model reply. Tries, in order: the whole text; each fenced code
 * block (```json first); then each balanced `{…}` or `[…]` span, objects first. The first that
 * parses wins.
 *
 * @example extractJson('Sure! ```json\n{"count": 2}\n```') // { ok: true, value: { count: 2 } }
 */
export function extractJson(text: string): JsonExtraction {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, reason: "the reply is empty" };
  const whole = tryParse(trimmed);
  if (whole.ok) return whole;

  const fenced = [...trimmed.matchAll(FENCE)].sort(
    (a, b) => Number(b[1]?.toLowerCase() === "json") - Number(a[1]?.toLowerCase() === "json"),
  );
  for (const match of fenced) {
    const parsed = tryParse((match[2] ?? "").trim());
    if (parsed.ok) return parsed;
  }

  for (const open of ["{", "["]) {
    for (let start = trimmed.indexOf(open); start !== -1; start = trimmed.indexOf(open, start + 1)) {
      const end = balancedEnd(trimmed, start);
      if (end === -1) continue;
      const parsed = tryParse(trimmed.slice(start, end + 1));
      if (parsed.ok) return parsed;
    }
  }
  return { ok: false, reason: "the reply contains no JSON object" };
}

function tryParse(text: string): JsonExtraction {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Index of the bracket closing the one at `start`, skipping brackets inside strings; -1 if none. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") stack.push("}");
    else if (ch === "[") stack.push("]");
    else if (ch === "}" || ch === "]") {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
