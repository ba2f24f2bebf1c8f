/**
 * The local store of eval runs, under `.loom/` beside the configs folder:
 *
 * ```
 * .loom/evals/<worker>/runs/<run id>.json   one file per run
 * .loom/evals/<worker>/baseline.json        {"run_id": "...", "promoted_at": "..."}
 * ```
 *
 * Every file is written whole (temp file + rename), so two processes (two Workshops, a Workshop
 * and `loom eval`) never interleave a record and no lock is needed.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { errorMessage, LoomError } from "../../errors.js";
import { TEMP_SUFFIX, writeFileAtomic } from "./atomic-write.js";
import { isJsonObject } from "./deep-equal.js";
import { assertRunId } from "./run-id.js";
import type { EvalRun } from "./run-types.js";
import { assertWorkerName } from "./suite.js";

/** The pointer to a worker's golden baseline run. */
export interface BaselineRecord {
  run_id: string;
  promoted_at: string;
}

/**
 * Eval runs and baselines of every worker, as JSON files under one `.loom` folder.
 *
 * @example
 * const store = EvalStore.forConfigs("configs");
 * await store.saveRun(run);
 * await store.promoteBaseline(run.worker, run.id);
 */
export class EvalStore {
  /** The `.loom` folder. */
  readonly loomDir: string;

  constructor(loomDir: string) {
    this.loomDir = path.resolve(loomDir);
  }

  /** The store beside a configs folder: `<parent of configsDir>/.loom`. */
  static forConfigs(configsDir: string): EvalStore {
    return new EvalStore(path.join(path.dirname(path.resolve(configsDir)), ".loom"));
  }

  /** Saves a run as `<loomDir>/evals/<worker>/runs/<id>.json`. */
  async saveRun(run: EvalRun): Promise<void> {
    await writeFileAtomic(this.#runFile(run.worker, run.id), `${JSON.stringify(run, null, 2)}\n`);
  }

  /** The worker's runs, newest first (at most `limit`). */
  async listRuns(worker: string, limit?: number): Promise<EvalRun[]> {
    const dir = this.#runsDir(worker);
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [] as string[];
      throw error;
    });
    const ids = names
      .filter((n) => n.endsWith(".json") && !n.startsWith(".") && !n.endsWith(TEMP_SUFFIX))
      .map((n) => n.slice(0, -".json".length))
      .sort()
      .reverse()
      .slice(0, limit);
    const runs = await Promise.all(ids.map((id) => this.getRun(worker, id)));
    return runs.filter((r): r is EvalRun => r !== undefined);
  }

  /** One run, or undefined when there is none with that id. Throws `invalid_input` for a bad id. */
  async getRun(worker: string, id: string): Promise<EvalRun | undefined> {
    const file = this.#runFile(worker, id);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    return text === undefined ? undefined : (parseJson(text, file) as EvalRun);
  }

  /**
   * Makes run `id` the worker's golden baseline. Throws `invalid_input` when no such run is stored.
   */
  async promoteBaseline(worker: string, id: string): Promise<void> {
    if (!(await this.getRun(worker, id))) {
      const known = (await this.listRuns(worker, 5)).map((r) => r.id);
      throw new LoomError(
        "invalid_input",
        `no eval run '${id}' for worker '${worker}' in ${this.#workerDir(worker)} (latest: ${known.join(", ") || "none"})`,
        { details: { worker, id } },
      );
    }
    const record: BaselineRecord = { run_id: id, promoted_at: new Date().toISOString() };
    await writeFileAtomic(this.#baselineFile(worker), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** The baseline pointer, or undefined when none was promoted. */
  async baselineRecord(worker: string): Promise<BaselineRecord | undefined> {
    const file = this.#baselineFile(worker);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const value = parseJson(text, file);
    if (!isJsonObject(value) || typeof value.run_id !== "string") {
      throw new LoomError("invalid_input", `${file}: expected {"run_id": "...", "promoted_at": "..."}`, {
        details: { file },
      });
    }
    return value as unknown as BaselineRecord;
  }

  /** The worker's golden baseline run, or undefined when none was promoted (or its run is gone). */
  async baseline(worker: string): Promise<EvalRun | undefined> {
    const record = await this.baselineRecord(worker);
    return record ? this.getRun(worker, record.run_id) : undefined;
  }

  #workerDir(worker: string): string {
    assertWorkerName(worker);
    return path.join(this.loomDir, "evals", worker);
  }

  #runsDir(worker: string): string {
    return path.join(this.#workerDir(worker), "runs");
  }

  #runFile(worker: string, id: string): string {
    assertRunId(id);
    return path.join(this.#runsDir(worker), `${id}.json`);
  }

  #baselineFile(worker: string): string {
    return path.join(this.#workerDir(worker), "baseline.json");
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LoomError("invalid_input", `${file} is not valid JSON: ${errorMessage(cause)}`, {
      details: { file },
      cause,
    });
  }
}
