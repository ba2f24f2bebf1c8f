// The Workshop's code editor (bundled into dist/workshop/assets/editor.js by scripts/build-workshop-assets.mjs):
// every <textarea data-editor="yaml|json"> becomes a CodeMirror editor that keeps the textarea's
// value in step, so forms submit as usual. With data-validate-url, the YAML is validated on the
// server as you type and each issue is marked at its line and column.
import { json } from "@codemirror/lang-json";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter } from "@codemirror/lint";
import { basicSetup, EditorView } from "codemirror";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

function renderIssues(issues) {
  const list = document.getElementById("issues");
  if (!list) return;
  list.replaceChildren();
  if (issues.length === 0) {
    const ok = document.createElement("p");
    ok.className = "ok";
    ok.textContent = "No issues: this config is valid.";
    list.append(ok);
    return;
  }
  const ul = document.createElement("ul");
  ul.className = "issues";
  for (const issue of issues) {
    const li = document.createElement("li");
    li.className = issue.severity;
    li.dataset.line = String(issue.line);
    li.dataset.column = String(issue.column);
    li.textContent = `${issue.line}:${issue.column} ${issue.path || "(root)"} ${issue.message}`;
    ul.append(li);
  }
  list.append(ul);
}

function serverLinter(url) {
  return linter(
    async (view) => {
      const text = view.state.doc.toString();
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf() },
        body: JSON.stringify({ text }),
      });
      if (!response.ok) return [];
      const { issues } = await response.json();
      renderIssues(issues);
      const doc = view.state.doc;
      return issues.map((issue) => {
        const line = doc.line(Math.min(Math.max(issue.line, 1), doc.lines));
        const from = Math.min(line.from + Math.max(issue.column - 1, 0), line.to);
        return {
          from,
          to: Math.max(from, line.to),
          severity: issue.severity === "warning" ? "warning" : "error",
          message: `${issue.path ? `${issue.path}: ` : ""}${issue.message}`,
        };
      });
    },
    { delay: 250 },
  );
}

for (const textarea of document.querySelectorAll("textarea[data-editor]")) {
  const extensions = [
    basicSetup,
    textarea.dataset.editor === "json" ? json() : yaml(),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      textarea.value = update.state.doc.toString();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }),
  ];
  if (textarea.dataset.validateUrl) extensions.push(lintGutter(), serverLinter(textarea.dataset.validateUrl));
  const view = new EditorView({ doc: textarea.value, extensions });
  view.dom.dataset.editorFor = textarea.name;
  textarea.hidden = true;
  textarea.after(view.dom);
}
