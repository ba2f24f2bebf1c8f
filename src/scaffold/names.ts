/** The names `loom new` accepts for workers, pipelines and stages. */
import { LoomError } from "../errors.js";

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks a worker, pipeline or stage name: lowercase letters, digits and underscores, starting
 * with a letter; and, when `taken` is given, not one of them.
 *
 * @throws LoomError (`config_invalid`) naming the bad value.
 * @example checkName("worker", "doc_extractor", ["summarizer"])
 */
export function checkName(what: string, name: string, taken: readonly string[] = []): string {
  if (name === "") throw new LoomError("config_invalid", `${what} name is empty`);
  if (!NAME.test(name))
    throw new LoomError(
      "config_invalid",
      `${what} name '${name}' must be lowercase letters, digits and underscores, starting with a letter`,
    );
  if (taken.includes(name))
    throw new LoomError("config_invalid", `${what} name '${name}' is taken (${what}s: ${taken.join(", ")})`);
  return name;
}
