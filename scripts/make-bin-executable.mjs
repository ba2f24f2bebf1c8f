// tsc writes dist/cli/main.js without the execute bit; npm sets it on install, but a clone that runs
// `npx --no-install loom` or `./dist/cli/main.js` needs it too.
import { chmodSync } from "node:fs";

chmodSync(new URL("../dist/cli/main.js", import.meta.url), 0o755);
