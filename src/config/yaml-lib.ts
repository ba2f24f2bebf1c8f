/**
 * The `yaml` library, loaded on first use. A start whose config files all come from the parse
 * cache parses no YAML, and loading the library costs about 50 ms of it.
 */
import { createRequire } from "node:module";

type YamlLib = typeof import("yaml");

const require = createRequire(import.meta.url);
let loaded: YamlLib | undefined;

export function yamlLib(): YamlLib {
  loaded ??= require("yaml") as YamlLib;
  return loaded;
}
