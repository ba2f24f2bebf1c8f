/** The frame of every Workshop page: navigation, the CSRF token, and the package's own assets. */
import { type Html, html } from "../html.js";

export interface PageContext {
  csrf: string;
  /** Connected to a NATS mesh: the Dead letters page is shown. */
  mesh?: boolean;
}

export function layout(
  ctx: PageContext,
  title: string,
  body: Html,
  options: { editor?: boolean } = {},
): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${title} · Loom Workshop</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/workshop.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/workshop.js" defer></script>
${options.editor ? html`<script src="/assets/editor.js" defer></script>` : ""}
</head>
<body hx-headers='${JSON.stringify({ "x-csrf-token": ctx.csrf })}'>
<header><a class="brand" href="/workers">Loom Workshop</a><nav><a href="/workers">Workers</a> <a href="/pipelines">Pipelines</a>${ctx.mesh ? html` <a href="/dead-letters">Dead letters</a>` : ""}</nav></header>
<main>
${body}
</main>
</body>
</html>`;
}

/** The worker page's tabs. */
export function workerTabs(name: string, active: "edit" | "test" | "eval"): Html {
  const tab = (id: typeof active, label: string) =>
    html`<a href="/workers/${encodeURIComponent(name)}/${id}" class="${id === active ? "tab active" : "tab"}">${label}</a>`;
  return html`<h1><a href="/workers">Workers</a> → ${name}</h1><nav class="tabs">${tab("edit", "Edit")}${tab("test", "Test")}${tab("eval", "Eval")}</nav>`;
}

/** A page that says what went wrong, never a stack trace. */
export function errorPage(ctx: PageContext, status: number, message: string): Html {
  return layout(
    ctx,
    `Error ${status}`,
    html`<h1>Something is wrong</h1><p class="error" role="alert">${message}</p><p><a href="/workers">Back to the workers</a></p>`,
  );
}

export function issueList(
  issues: readonly { line: number; column: number; path: string; message: string; severity: string }[],
): Html {
  if (issues.length === 0) return html`<p class="ok">No issues: this config is valid.</p>`;
  return html`<ul class="issues">${issues.map(
    (i) =>
      html`<li class="${i.severity}"><span class="pos">${i.line}:${i.column}</span> <code>${i.path || "(root)"}</code> ${i.message}</li>`,
  )}</ul>`;
}
