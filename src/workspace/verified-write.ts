/**
 * Atomic writes into a verified folder: the parent folder's real path is checked to be inside the
 * workspace, the text goes to a temporary file created there with `O_EXCL` (never through a
 * symlink), the temporary file is renamed over the target, and then the result is verified — the
 * folder is still the checked one and the target is the file just written. A folder swapped for a
 * symlink mid-write is reported (and the stray file removed) instead of silently writing outside.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { lstat, mkdir, open, realpath, rename, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { isInside } from "./inside.js";
import { OpenRefused } from "./verified-open.js";

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function tempName(file: string): string {
  return `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
}

/** Writes `text` to `file` (lexically inside the workspace) atomically and verified. */
export async function writeVerified(file: string, text: string, realRoot: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  if (!isInside(realRoot, realDir)) throw new OpenRefused("outside");
  const dirStats = await stat(realDir);
  const temp = path.join(realDir, tempName(file));
  const target = path.join(realDir, path.basename(file));
  const handle = await open(temp, CREATE_FLAGS, 0o666);
  let written: Stats;
  try {
    written = await handle.stat();
    await handle.writeFile(text, "utf8");
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const dirNow = await realpath(realDir).catch(() => "");
  const dirOk = dirNow !== "" && isInside(realRoot, dirNow) && sameFile(await stat(dirNow), dirStats);
  const targetStats = await lstat(target).catch(() => undefined);
  if (!dirOk || !targetStats || !sameFile(targetStats, written)) {
    if (targetStats && sameFile(targetStats, written)) await unlink(target).catch(() => {});
    throw new OpenRefused("swapped");
  }
}

/** {@link writeVerified}, synchronously (for `SyncProcessingBackend.processSync`). */
export function writeVerifiedSync(file: string, text: string, realRoot: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const realDir = realpathSync(dir);
  if (!isInside(realRoot, realDir)) throw new OpenRefused("outside");
  const dirStats = statSync(realDir);
  const temp = path.join(realDir, tempName(file));
  const target = path.join(realDir, path.basename(file));
  const fd = openSync(temp, CREATE_FLAGS, 0o666);
  let written: Stats;
  try {
    written = fstatSync(fd);
    writeFileSync(fd, text, "utf8");
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  let dirOk = false;
  try {
    const dirNow = realpathSync(realDir);
    dirOk = isInside(realRoot, dirNow) && sameFile(statSync(dirNow), dirStats);
  } catch {
    dirOk = false;
  }
  let targetStats: Stats | undefined;
  try {
    targetStats = lstatSync(target);
  } catch {
    targetStats = undefined;
  }
  if (!dirOk || !targetStats || !sameFile(targetStats, written)) {
    if (targetStats && sameFile(targetStats, written)) {
      try {
        unlinkSync(target);
      } catch {
        // Already gone.
      }
    }
    throw new OpenRefused("swapped");
  }
}
