/**
 * Preloaded into a gateway under measurement (`node --import ./bench/_read-probe.mjs`): appends
 * the path of every file read (fs.readFile, fs.promises.readFile, fs.readFileSync, filehandle
 * reads through fs.promises.open are not counted) whose path starts with $LOOM_READ_PROBE_DIR to
 * the file named by $LOOM_READ_PROBE_LOG, one per line. bench/scale.ts counts which worker files
 * a hot reload read.
 */

/**
 * Preloaded into a gateway under measurement (`node --import ./bench/_read-probe.mjs`): appends
 * the path of every file read (fs.readFile, fs.promises.readFile, fs.readFileSync, filehandle
 * reads through fs.promises.open are not counted) whose path starts with $LOOM_READ_PROBE_DIR to
 * the file named by $LOOM_READ_PROBE_LOG, one per line. bench/scale.ts counts which worker files
 * a hot reload read.
 */
import fs, { appendFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const dir = process.env.LOOM_READ_PROBE_DIR;
const log = process.env.LOOM_READ_PROBE_LOG;
if (dir && log) {
  const record = (file) => {
    const name = file instanceof URL ? file.pathname : typeof file === "string" ? file : "";
    if (name.startsWith(dir)) appendFileSync(log, `${name}\n`);
  };
  const { readFile } = fs.promises;
  fs.promises.readFile = function (file, ...rest) {
    record(file);
    return readFile.call(this, file, ...rest);
  };
  const readFileSync = fs.readFileSync;
  fs.readFileSync = function (file, ...rest) {
    record(file);
    return readFileSync.call(this, file, ...rest);
  };
  const readFileCb = fs.readFile;
  fs.readFile = function (file, ...rest) {
    record(file);
    return readFileCb.call(this, file, ...rest);
  };
  // ESM named imports of node:fs and node:fs/promises see the wrapped functions from here on.
  syncBuiltinESMExports();
}
