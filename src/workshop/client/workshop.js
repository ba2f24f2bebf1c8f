// The Workshop's small interactive parts (served as-is from dist/workshop/assets/workshop.js):
// the worker filter, unsaved drafts kept in the browser, show/hide toggles, and live eval progress.
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const draftKey = (name) => `loom-draft:${name}`;

  // Workers list: filter rows as you type; the query stays in the URL.
  for (const input of document.querySelectorAll("input[data-filter]")) {
    input.addEventListener("input", () => {
      const q = input.value.trim().toLowerCase();
      for (const row of document.querySelectorAll(input.dataset.filter)) {
        row.hidden = q !== "" && !row.dataset.search.includes(q);
      }
      const url = new URL(location.href);
      if (q) url.searchParams.set("q", q);
      else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    });
  }

  // Edit page: remember the unsaved text so the Test page can run it against the saved file.
  const editForm = document.getElementById("save-form");
  if (editForm) {
    const key = draftKey(editForm.dataset.draftKey);
    editForm.addEventListener("input", () => localStorage.setItem(key, editForm.elements.text.value));
  }
  // Test page: send that draft along.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const form = event.target.closest?.("#test-form");
    if (form) event.detail.parameters.draft = localStorage.getItem(draftKey(form.dataset.draftKey)) ?? "";
  });

  for (const box of document.querySelectorAll("input[data-toggle]")) {
    const target = document.querySelector(box.dataset.toggle);
    box.addEventListener("change", () => {
      if (target) target.hidden = !box.checked;
    });
  }

  // Eval page: start a run, then follow it over server-sent events.
  const evalForm = document.getElementById("eval-form");
  if (evalForm) {
    const progress = document.getElementById("eval-progress");
    const line = (text, className) => {
      const p = document.createElement("p");
      p.textContent = text;
      if (className) p.className = className;
      progress.append(p);
      return p;
    };
    evalForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      progress.replaceChildren();
      const body = new URLSearchParams(new FormData(evalForm));
      const suite = document.querySelector('#suite-form textarea[name="suite"]');
      if (suite) body.set("suite", suite.value);
      const response = await fetch(evalForm.dataset.evalUrl, {
        method: "POST",
        headers: { "x-csrf-token": csrf(), accept: "application/json" },
        body,
      });
      const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
      if (!response.ok) {
        line(answer.error ?? `HTTP ${response.status}`, "error");
        return;
      }
      const status = line(`running 0/${answer.cases} cases…`, "status");
      let done = 0;
      const source = new EventSource(answer.events_url);
      source.addEventListener("case", (message) => {
        const { result } = JSON.parse(message.data);
        done += 1;
        status.textContent = `running ${done}/${answer.cases} cases…`;
        const verdict = result.error ? `error (${result.error.code})` : result.passed ? "pass" : "fail";
        const row = line(
          `${result.name}: ${verdict} · score ${result.score.toFixed(2)} · ${result.latency_ms} ms`,
          result.passed ? "ok" : "error",
        );
        row.dataset.case = result.name;
      });
      source.addEventListener("done", (message) => {
        source.close();
        location.href = JSON.parse(message.data).url;
      });
      source.addEventListener("failed", (message) => {
        source.close();
        line(`The run failed: ${JSON.parse(message.data).message}`, "error");
      });
    });
  }

  // Pipeline graph: click a stage to see its details.
  const graph = document.querySelector("#graph[data-select-url]");
  graph?.addEventListener("click", (event) => {
    const stage = event.target.closest?.("[data-stage]");
    if (stage) location.href = `${graph.dataset.selectUrl}?stage=${encodeURIComponent(stage.dataset.stage)}`;
  });

  // Pipeline run: start a goal, light up the graph as stages change, show the result.
  const goalForm = document.getElementById("goal-form");
  if (goalForm) {
    const cancel = document.getElementById("cancel-run");
    const table = document.getElementById("run-stages");
    const resultBox = document.getElementById("run-result");
    const setState = (stage, state) => {
      const node = document.querySelector(`#graph .stage[data-stage="${CSS.escape(stage)}"]`);
      if (!node) return;
      node.classList.remove(
        "state-pending",
        "state-running",
        "state-completed",
        "state-failed",
        "state-skipped",
        "state-cancelled",
      );
      node.classList.add(`state-${state}`);
      node.dataset.state = state;
    };
    const row = (stage) => {
      let tr = table.querySelector(`tr[data-stage="${CSS.escape(stage)}"]`);
      if (!tr) {
        tr = document.createElement("tr");
        tr.dataset.stage = stage;
        for (let i = 0; i < 4; i++) tr.append(document.createElement("td"));
        tr.cells[0].textContent = stage;
        table.tBodies[0].append(tr);
      }
      return tr;
    };
    goalForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      resultBox.replaceChildren();
      table.tBodies[0].replaceChildren();
      for (const node of document.querySelectorAll("#graph .stage[data-stage]"))
        setState(node.dataset.stage, "pending");
      const response = await fetch(goalForm.dataset.runUrl, {
        method: "POST",
        headers: { "x-csrf-token": csrf(), accept: "application/json" },
        body: new URLSearchParams(new FormData(goalForm)),
      });
      const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
      if (!response.ok) {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = answer.error ?? `HTTP ${response.status}`;
        resultBox.append(p);
        return;
      }
      table.hidden = false;
      cancel.hidden = false;
      cancel.onclick = () =>
        fetch(answer.cancel_url, { method: "POST", headers: { "x-csrf-token": csrf() } });
      const source = new EventSource(answer.events_url);
      const stageEvent = (state) => (message) => {
        const data = JSON.parse(message.data);
        const status = data.status === "timeout" ? "failed" : (data.status ?? state);
        setState(data.stage, status);
        const tr = row(data.stage);
        tr.cells[1].textContent = status;
        if (data.duration_ms !== undefined) tr.cells[2].textContent = `${data.duration_ms} ms`;
        tr.cells[3].textContent = data.error?.message ?? data.reason ?? "";
      };
      source.addEventListener("stage_started", stageEvent("running"));
      source.addEventListener("stage_completed", stageEvent("completed"));
      source.addEventListener("stage_failed", stageEvent("failed"));
      source.addEventListener("stage_skipped", stageEvent("skipped"));
      source.addEventListener("result", (message) => {
        const { result } = JSON.parse(message.data);
        for (const [stage, outcome] of Object.entries(result.stages))
          if (outcome.status !== "completed")
            setState(stage, outcome.status === "timeout" ? "failed" : outcome.status);
      });
      source.addEventListener("done", async (message) => {
        source.close();
        cancel.hidden = true;
        const fragment = await fetch(JSON.parse(message.data).url);
        resultBox.innerHTML = await fragment.text();
      });
      source.addEventListener("failed", (message) => {
        source.close();
        cancel.hidden = true;
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = `The run failed: ${JSON.parse(message.data).message}`;
        resultBox.append(p);
      });
    });
  }
})();
