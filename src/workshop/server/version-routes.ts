/** The diff between two saved versions of a config, for workers and pipelines alike. */
import type { Request } from "express";
import type { VersionStore } from "../versions.js";
import type { WorkshopContext } from "./context.js";
import type { Html } from "./html.js";
import { HttpError } from "./http-error.js";
import { diffPage } from "./pages/worker-edit.js";

export async function diffRoute(
  ctx: WorkshopContext,
  versions: VersionStore,
  name: string,
  req: Request,
  tabs: Html,
): Promise<string> {
  const all = await versions.list(name);
  const pick = (id: unknown) => {
    const version = all.find((v) => v.id === id);
    if (!version)
      throw new HttpError(
        400,
        `'${String(id)}' is not a saved version of ${name}; pick two from the Versions list`,
      );
    return version;
  };
  const a = pick(req.query.a);
  const b = pick(req.query.b);
  return diffPage(ctx.page, tabs, a, b, await versions.read(name, a.id), await versions.read(name, b.id));
}
