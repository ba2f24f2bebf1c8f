/**
 * Folders that must not be served or watched as a workspace: the file system root, the system's
 * own folders and the user's home folder itself. `workspace_dir: /etc` served /etc to every MCP
 * client, and a folder resolving to `/` exhausted the host's inotify limit (issue: workspace
 * resources, item C). A subfolder (`~/projects/ws`, `/var/lib/loom/ws`) is fine.
 */
import { realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const POSIX_SYSTEM_DIRS = [
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib32",
  "/lib64",
  "/opt",
  "/private",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/tmp",
  "/usr",
  "/var",
  "/Applications",
  "/Library",
  "/System",
  "/Users",
  "/Volumes",
];

function realOrSelf(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Why `dir` (after following symlinks) is a system folder that is not served, or `undefined`
 * when it is an ordinary folder.
 *
 * @example systemDirReason("/etc") // "it is the system folder /etc"
 */
export function systemDirReason(dir: string): string | undefined {
  const real = realOrSelf(dir);
  const home = os.homedir();
  if (home && real === realOrSelf(home)) return `it is the home folder ${home} itself`;
  if (process.platform === "win32") {
    const parsed = path.parse(real);
    if (real === parsed.root) return `it is the root of drive ${parsed.root}`;
    const windows = process.env.SystemRoot ?? "C:\\Windows";
    if (real.toLowerCase() === windows.toLowerCase()) return `it is the system folder ${windows}`;
    return undefined;
  }
  const system = POSIX_SYSTEM_DIRS.find((candidate) => real === candidate || real === realOrSelf(candidate));
  if (system === "/") return "it is the file system root /";
  return system === undefined ? undefined : `it is the system folder ${system}`;
}
