/** Worker → Edit: the YAML in a code editor with live validation, save, and the saved versions. */
import { diffLines } from "diff";
import type { WorkerEntry } from "../../catalog.js";
import type { ConfigVersion } from "../../versions.js";
import { type Html, html } from "../html.js";
import { issueList, layout, type PageContext, workerTabs } from "./layout.js";

export function workerEditPage(
  ctx: PageContext,
  entry: WorkerEntry,
  text: string,
  versions: readonly ConfigVersion[],
): string {
  const base = `/workers/${encodeURIComponent(entry.name)}`;
  return layout(
    ctx,
    `${entry.name} · Edit`,
    html`${workerTabs(entry.name, "edit")}
<p class="muted">${entry.relativePath} · ${entry.kind} worker · tier ${entry.tier}</p>
<form id="save-form" hx-post="${base}/save" hx-target="#save-status" data-draft-key="${entry.name}">
<textarea name="text" data-editor="yaml" data-validate-url="${base}/validate" spellcheck="false" rows="24">${text}</textarea>
<div id="issues" aria-live="polite">${issueList(entry.issues)}</div>
<p><button type="submit">Save</button> <label><input type="checkbox" name="force" value="1"> Save even if invalid</label></p>
</form>
<div id="save-status" aria-live="polite"></div>
${versionsSection(entry.name, versions)}`,
    { editor: true },
  ).value;
}

export function versionsSection(
  name: string,
  versions: readonly ConfigVersion[],
  outOfBand = false,
  base = `/workers/${encodeURIComponent(name)}`,
): Html {
  const options = (selected: number) =>
    versions.map(
      (v, i) =>
        html`<option value="${v.id}" ${i === selected ? html`selected` : ""}>${v.savedAt} · ${v.hash}</option>`,
    );
  return html`<section id="versions" ${outOfBand ? html`hx-swap-oob="true"` : ""}><h2>Versions</h2>${
    versions.length === 0
      ? html`<p class="muted">No saved versions yet: the first save keeps the file as it was and the new text.</p>`
      : html`<ol class="versions">${versions.map((v) => html`<li><code>${v.hash}</code> ${v.savedAt}</li>`)}</ol>
<form method="get" action="${base}/diff" class="inline"><label>From <select name="a">${options(Math.min(1, versions.length - 1))}</select></label>
<label>to <select name="b">${options(0)}</select></label> <button type="submit">Diff</button></form>`
  }</section>`;
}

export function saveStatus(outcome: { saved: boolean; message: string; issues?: Html }): Html {
  return html`<p class="${outcome.saved ? "ok" : "error"}" role="status">${outcome.message}</p>${outcome.issues ?? ""}`;
}

export function diffPage(
  ctx: PageContext,
  tabs: Html,
  a: ConfigVersion,
  b: ConfigVersion,
  before: string,
  after: string,
): string {
  const parts = diffLines(before, after);
  const lines = parts.flatMap((part) =>
    part.value
      .replace(/\n$/, "")
      .split("\n")
      .map(
        (line) =>
          html`<div class="${part.added ? "add" : part.removed ? "del" : "same"}">${part.added ? "+ " : part.removed ? "- " : "  "}${line}</div>`,
      ),
  );
  const changed = parts.some((p) => p.added || p.removed);
  return layout(
    ctx,
    "Diff",
    html`${tabs}<h2>Diff ${a.hash} → ${b.hash}</h2>
<p class="muted">${a.savedAt} → ${b.savedAt}</p>
${changed ? html`<pre class="diff">${lines}</pre>` : html`<p>The two versions are identical.</p>`}`,
  ).value;
}
