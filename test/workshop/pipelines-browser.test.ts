/**
 * The Workshop's pipeline pages in a real headless Chromium: the graph of the guide's
 * analysis_pipeline, a broken mapping flagged on its edge, a stage inserted through the form, and
 * live runs against the fake LLM — one to completion, one cancelled while a stage runs.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfigFile } from "../../src/config/index.js";
import { startWorkshop, type WorkshopHandle } from "../../src/workshop/index.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { entityResponder, type WorkshopProject, writeWorkshopProject } from "../fixtures/workshop-project.js";
import { ARTIFACTS, launchChromium, type PageWatch, watchPage } from "./browser.js";

describe("the Workshop's pipeline pages in a real browser", () => {
  let llm: FakeLlm;
  let project: WorkshopProject;
  let workshop: WorkshopHandle;
  let browser: Browser;
  let page: Page;
  let base: string;
  let pipelineFile: string;
  let watch: PageWatch;

  beforeAll(async () => {
    llm = await startFakeLlm();
    llm.setResponder(entityResponder);
    project = await writeWorkshopProject(llm.url);
    pipelineFile = path.join(project.configsDir, "orchestrators", "analysis_pipeline.yaml");
    workshop = await startWorkshop({ configsDir: project.configsDir, port: 0, log: () => {} });
    base = `http://localhost:${workshop.port}`;
    browser = await launchChromium();
    page = await browser.newPage();
    watch = await watchPage(page, base);
  });

  afterAll(async () => {
    await browser?.close();
    await workshop?.close();
    await llm?.close();
  });

  /** The horizontal center of a stage's box in the drawn graph. */
  const stageCenter = async (name: string) => {
    const box = await page.locator(`#graph .stage[data-stage="${name}"] rect`).boundingBox();
    return box ? box.x + box.width / 2 : Number.NaN;
  };

  it("draws analysis_pipeline: three stages, two edges from extract, classify and summarize on one level", async () => {
    await page.goto(`${base}/pipelines`);
    expect(await page.textContent("#pipelines")).toContain("extract → classify + summarize");
    await page.click("text=analysis_pipeline");
    await page.waitForURL(/\/pipelines\/analysis_pipeline\/graph/);
    expect(await page.locator("#graph .stage").count()).toBe(3);
    expect(await page.locator('#graph .edge[data-from="extract"]').count()).toBe(2);
    const [extract, classify, summarize] = [
      await stageCenter("extract"),
      await stageCenter("classify"),
      await stageCenter("summarize"),
    ];
    expect(classify).toBeCloseTo(summarize, 0);
    expect(classify).toBeGreaterThan(extract);
    expect(await page.textContent("#graph-problems")).toContain("No problems");
    await page.screenshot({ path: path.join(ARTIFACTS, "pipeline-graph.png"), fullPage: true });
    // Clicking a stage shows its details.
    await page.locator('#graph .stage[data-stage="classify"]').click();
    await page.locator("#stage-details").waitFor();
    expect(await page.textContent("#stage-details")).toContain("doc_classifier");
  });

  it("flags a mapped field the producer does not have on its edge, and clears it once fixed", async () => {
    const original = await readFile(pipelineFile, "utf8");
    await writeFile(
      pipelineFile,
      original.replace(
        'page_count: "extract.output.page_count"',
        'page_count: "extract.output.no_such_field"',
      ),
    );
    await page.goto(`${base}/pipelines/analysis_pipeline/graph`);
    const edge = page.locator('#graph .edge.has-problem[data-from="extract"][data-to="classify"]');
    expect(await edge.count()).toBe(1);
    expect(await edge.locator("title").textContent()).toContain("no_such_field");
    expect(await page.textContent("#graph-problems")).toContain("no_such_field");
    await writeFile(pipelineFile, original);
    await page.reload();
    expect(await page.locator("#graph .edge.has-problem").count()).toBe(0);
  });

  it("inserts a stage after extract through the form; the YAML keeps its comments and validates", async () => {
    await page.goto(`${base}/pipelines/analysis_pipeline/edit`);
    const form = page.locator('form[data-op="insert_after"]');
    await form.locator('select[name="after"]').selectOption("extract");
    await form.locator('input[name="name"]').fill("people");
    await form.locator('select[name="worker_type"]').selectOption("entity_extractor");
    await form.locator('input[name="mapping"]').fill("text=extract.output.text_preview");
    await form.locator("button[type=submit]").click();
    await page.locator("#notice.ok").waitFor();
    await page.reload();
    const saved = await readFile(pipelineFile, "utf8");
    expect(saved).toContain("# The guide's Part 3 pipeline.");
    expect(saved).toContain("name: people");
    const { issues } = await validateConfigFile(pipelineFile);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    await page.goto(`${base}/pipelines/analysis_pipeline/graph`);
    expect(await page.locator("#graph .stage").count()).toBe(4);
  });

  it("runs a goal and lights up each stage as it completes", async () => {
    await page.goto(`${base}/pipelines/analysis_pipeline/run`);
    await page.fill('input[name="context.file_ref"]', "report.md");
    await page.click("#goal-form button[type=submit]");
    await page.locator(".run-result").waitFor();
    expect(await page.getAttribute(".run-result", "data-status")).toBe("completed");
    for (const stage of ["extract", "classify", "summarize", "people"]) {
      expect(await page.getAttribute(`#graph .stage[data-stage="${stage}"]`, "data-state")).toBe("completed");
    }
    expect(await page.locator(".gantt .bar").count()).toBe(4);
    await page.screenshot({ path: path.join(ARTIFACTS, "pipeline-run.png"), fullPage: true });
  });

  it("cancels a slow run and shows the running stage cancelled", async () => {
    await page.goto(`${base}/pipelines/analysis_pipeline/run`);
    await page.fill('input[name="context.file_ref"]', "slow.md");
    await page.click("#goal-form button[type=submit]");
    await page.locator('#graph .stage[data-stage="classify"][data-state="running"]').waitFor();
    await page.click("#cancel-run");
    await page.locator(".run-result").waitFor();
    expect(await page.getAttribute(".run-result", "data-status")).toBe("cancelled");
    expect(await page.getAttribute('#graph .stage[data-stage="classify"]', "data-state")).toBe("cancelled");
    expect(watch.offsiteRequests).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
