/**
 * Saved versions of config files, content-addressed: `.loom/versions/<kind>/<name>/<time>-<hash>.yaml`.
 * One file per version, written to a temporary name and renamed, so two Workshop processes saving
 * at once never interleave or lose a version, and no lock is needed.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { LoomError } from "../errors.js";

export interface ConfigVersion {
  /** `<time>-<hash>`: sortable, and what URLs use. */
  id: string;
  /** First 12 hex digits of the SHA-256 of the text. */
  hash: string;
  savedAt: string;
}

const VERSION_ID = /^(\d{8}T\d{9}Z)-([0-9a-f]{12})$/;

/** First 12 hex digits of the SHA-256 of `text`. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

export class VersionStore {
  /** Versions of the configs of one kind (`workers`, `pipelines`) under `loomDir`. */
  constructor(
    readonly loomDir: string,
    readonly kind: string,
  ) {}

  /** Records `text` as the newest version of `name` unless the newest already has this content. */
  async record(name: string, text: string): Promise<ConfigVersion> {
    const hash = contentHash(text);
    const newest = (await this.list(name))[0];
    if (newest?.hash === hash) return newest;
    const stamp = new Date().toISOString().replace(/[-:.]/g, "");
    const id = `${stamp}-${hash}`;
    const dir = this.#dir(name);
    await mkdir(dir, { recursive: true });
    await writeAtomic(path.join(dir, `${id}.yaml`), text);
    return toVersion(id);
  }

  /** Every version of `name`, newest first. */
  async list(name: string): Promise<ConfigVersion[]> {
    const files = await readdir(this.#dir(name)).catch(() => [] as string[]);
    return files
      .map((f) => f.replace(/\.yaml$/, ""))
      .filter((id) => VERSION_ID.test(id))
      .sort()
      .reverse()
      .map(toVersion);
  }

  /** The text of one version. @throws LoomError `invalid_input` for an id that is not a version of `name` */
  async read(name: string, id: string): Promise<string> {
    if (!VERSION_ID.test(id))
      throw new LoomError(
        "invalid_input",
        `'${id}' is not a version id (like 20261129T101500123Z-0a1b2c3d4e5f)`,
      );
    return readFile(path.join(this.#dir(name), `${id}.yaml`), "utf8").catch(() => {
      throw new LoomError("invalid_input", `'${name}' has no version ${id}`);
    });
  }

  #dir(name: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new LoomError("invalid_input", `'${name}' is not a config name`);
    return path.join(this.loomDir, "versions", this.kind, name);
  }
}

function toVersion(id: string): ConfigVersion {
  const [, stamp = "", hash = ""] = VERSION_ID.exec(id) ?? [];
  const savedAt = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
  return { id, hash, savedAt };
}

/** Writes `text` to `file` through a temporary file in the same folder and a rename. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  await writeFile(temporary, text, "utf8");
  await rename(temporary, file);
}
