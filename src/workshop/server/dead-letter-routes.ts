/** The Dead letters page, when the Workshop was started with a NATS URL. */
import { jetstream } from "@nats-io/jetstream";
import type { Express, Request } from "express";
import {
  countDeadLetters,
  listDeadLetters,
  purgeDeadLetters,
  replayDeadLetter,
} from "../../mesh/dead-letters.js";
import type { WorkshopContext } from "./context.js";
import { HttpError } from "./http-error.js";
import { deadLettersPage } from "./pages/dead-letters.js";

function selectedIds(req: Request): number[] {
  const raw = (req.body as Record<string, unknown> | undefined)?.id;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids = values.map((v) => Number(v));
  if (ids.some((id) => !Number.isInteger(id) || id <= 0))
    throw new HttpError(400, "Dead letter ids are whole numbers.");
  return ids;
}

export function deadLetterRoutes(app: Express, ctx: WorkshopContext): void {
  const meshOf = () => {
    if (!ctx.mesh)
      throw new HttpError(
        404,
        "Dead letters live on the NATS mesh: start the Workshop with --nats-url to see them.",
      );
    return ctx.mesh;
  };
  const render = async (notice?: string) => {
    const { mesh } = meshOf();
    return deadLettersPage(
      ctx.page,
      await listDeadLetters(mesh.jsm, 100),
      await countDeadLetters(mesh.jsm),
      notice,
    );
  };
  app.get("/dead-letters", async (_req, res) => {
    res.type("html").send(await render());
  });
  app.post("/dead-letters/replay", async (req, res) => {
    const { mesh, nc } = meshOf();
    const ids = selectedIds(req);
    if (ids.length === 0) throw new HttpError(400, "Select the dead letters to replay.");
    const js = jetstream(nc);
    for (const id of ids) await replayDeadLetter(mesh.jsm, js, id);
    ctx.log(`replayed dead letters ${ids.join(", ")}`);
    res
      .type("html")
      .send(await render(`Replayed ${ids.length} dead letter(s): their tasks went back to the router.`));
  });
  app.post("/dead-letters/purge", async (req, res) => {
    const { mesh } = meshOf();
    let purged = 0;
    if ((req.body as Record<string, unknown> | undefined)?.all === "1")
      purged = await purgeDeadLetters(mesh.jsm);
    else {
      const ids = selectedIds(req);
      if (ids.length === 0) throw new HttpError(400, "Select the dead letters to purge.");
      for (const id of ids) purged += await purgeDeadLetters(mesh.jsm, id);
    }
    ctx.log(`purged ${purged} dead letter(s)`);
    res.type("html").send(await render(`Purged ${purged} dead letter(s).`));
  });
}
