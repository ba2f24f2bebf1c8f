/** Dead letters (with `--nats-url`): the mesh's refused and lost tasks — inspect, replay, purge. */
import type { StoredDeadLetter } from "../../../mesh/dead-letters.js";
import { html } from "../html.js";
import { layout, type PageContext } from "./layout.js";

function age(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export function deadLettersPage(
  ctx: PageContext,
  letters: readonly StoredDeadLetter[],
  total: number,
  notice?: string,
): string {
  const now = Date.now();
  const csrf = html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
  return layout(
    ctx,
    "Dead letters",
    html`<h1>Dead letters</h1>
${notice ? html`<p class="ok" role="status" id="notice">${notice}</p>` : ""}
<p class="muted">${total} dead letter(s) on the mesh${letters.length < total ? html`, the newest ${letters.length} shown` : ""}.</p>
<form method="post" action="/dead-letters/replay" id="dead-letters-form">${csrf}
<table id="dead-letters"><thead><tr><th></th><th>Id</th><th>Reason</th><th>Worker type</th><th>Tier</th><th>Age</th></tr></thead><tbody>${letters.map(
      (
        l,
      ) => html`<tr data-id="${l.id}"><td><input type="checkbox" name="id" value="${l.id}" aria-label="select ${l.id}"></td><td>${l.id}</td>
<td><code>${l.code}</code> ${l.reason}</td><td>${l.worker_type ?? "—"}</td><td>${l.tier ?? "—"}</td><td>${age(l.dead_at, now)}</td></tr>
<tr class="letter-detail"><td></td><td colspan="5"><details><summary>task</summary><pre>${JSON.stringify(l.task ?? l.raw ?? null, null, 2)}</pre></details></td></tr>`,
    )}</tbody></table>
<p><button type="submit">Replay selected</button> <button type="submit" formaction="/dead-letters/purge">Purge selected</button></p></form>
<form method="post" action="/dead-letters/purge">${csrf}<input type="hidden" name="all" value="1"><button type="submit">Purge all</button></form>`,
  ).value;
}
