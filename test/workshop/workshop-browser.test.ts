/**
 * The Workshop as a user drives it: a real headless Chromium against a real Workshop server, the
 * fake LLM as the only stand-in. Screenshots of the main pages go to test-artifacts/workshop/.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfigFile } from "../../src/config/index.js";
import { startWorkshop, type WorkshopHandle } from "../../src/workshop/index.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import {
  ENTITY_SUITE,
  entityResponder,
  type WorkshopProject,
  writeWorkshopProject,
} from "../fixtures/workshop-project.js";
import { ARTIFACTS, launchChromium, type PageWatch, watchPage } from "./browser.js";

describe("the Workshop in a real browser", () => {
  let llm: FakeLlm;
  let project: WorkshopProject;
  let workshop: WorkshopHandle;
  let browser: Browser;
  let page: Page;
  let base: string;
  let watch: PageWatch;

  beforeAll(async () => {
    llm = await startFakeLlm();
    llm.setResponder(entityResponder);
    project = await writeWorkshopProject(llm.url);
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

  const screenshot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** Replaces the text of the CodeMirror editor that follows the textarea `name`. */
  async function setEditorText(name: string, text: string): Promise<void> {
    await page.locator(`.cm-editor[data-editor-for="${name}"] .cm-content`).click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(text);
  }

  it("lists every worker, a broken one with its issues, and filters as you type", async () => {
    await page.goto(`${base}/workers`);
    const rows = page.locator("#workers tbody tr");
    await expect.poll(() => rows.count()).toBe(4);
    const broken = page.locator("#workers tbody tr", { hasText: "broken" });
    expect(await broken.textContent()).toContain("default_model_tier");
    await screenshot("workers");
    await page.fill("#filter", "broken");
    await expect.poll(() => page.locator("#workers tbody tr:not([hidden])").count()).toBe(1);
    expect(page.url()).toContain("q=broken");
  });

  it("flags an error at its line as you type, then saves the fix keeping the file's comments", async () => {
    await page.goto(`${base}/workers/entity_extractor/edit`);
    const original = await readFile(project.workerFile, "utf8");
    await page.locator('.cm-editor[data-editor-for="text"] .cm-content').click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("\nmax_input_tokens: -5");
    // The line the text landed on, as the editor holds it (what the form would submit).
    const edited = await page.inputValue('textarea[name="text"]');
    const typedLine = edited.split("\n").findIndex((line) => line.startsWith("max_input_tokens")) + 1;
    expect(typedLine).toBeGreaterThan(50);
    const flagged = page.locator(`#issues li.error[data-line="${typedLine}"]`);
    await flagged.waitFor();
    expect(await flagged.textContent()).toContain("max_input_tokens");
    await page.locator(".cm-lintRange-error").first().waitFor();
    await screenshot("worker-edit-error");

    // Fix it: remove the typed line, add a comment, save.
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    await page.keyboard.insertText("\n# reviewed in the Workshop");
    await page.locator("#issues p.ok").waitFor();
    await page.click("#save-form button[type=submit]");
    await page.locator("#save-status .ok").waitFor();
    expect(await page.textContent("#save-status")).toMatch(/Saved as version [0-9a-f]{12}/);
    const saved = await readFile(project.workerFile, "utf8");
    expect(saved).toContain("# yaml-language-server: $schema=");
    expect(saved).toContain("# reviewed in the Workshop");
    expect(saved.startsWith(original.trimEnd())).toBe(true);
    const { issues } = await validateConfigFile(project.workerFile);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    // The original and the new text are both versions now.
    expect(await page.locator("#versions li").count()).toBe(2);
  });

  it("runs a test against the LLM and shows output, tokens, latency and model", async () => {
    await page.goto(`${base}/workers/entity_extractor/test`);
    expect(await page.inputValue("#payload")).toContain('"text"');
    await setEditorText("payload", '{"text": "Marie Curie worked in Paris."}');
    await page.click("#test-form button[type=submit]");
    const result = page.locator(".result").first();
    await result.locator(".status").waitFor();
    expect(await result.locator(".status").textContent()).toBe("completed");
    expect(await result.locator(".output").textContent()).toContain("Marie Curie");
    expect(await result.locator(".tokens").textContent()).toBe("40 in / 12 out");
    expect(await result.locator(".latency").textContent()).toMatch(/^\d+ ms$/);
    expect(await result.locator(".model").textContent()).toBe("fake-model");
    await screenshot("worker-test");
  });

  it("runs an eval suite, promotes a baseline, and flags the case a prompt change broke", async () => {
    await page.goto(`${base}/workers/entity_extractor/eval`);
    await setEditorText("suite", ENTITY_SUITE);
    await page.click("#suite-form button[type=submit]");
    await page.locator("#suite-status .ok").waitFor();
    expect(await readFile(path.join(project.configsDir, "evals", "entity_extractor.yaml"), "utf8")).toBe(
      ENTITY_SUITE,
    );

    await page.click("#eval-form button[type=submit]");
    await page.waitForURL(/\/eval\/runs\//);
    expect(await page.textContent(".pass-rate")).toContain("100%");
    await page.click("text=Promote to golden baseline");
    await page.locator(".badge.baseline").first().waitFor();

    // Change the system prompt in the editor so the model stops reporting places.
    await page.goto(`${base}/workers/entity_extractor/edit`);
    await page.locator('.cm-editor[data-editor-for="text"] .cm-content').click();
    await page.keyboard.press("Control+Home");
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.insertText(" IGNORE PLACES.");
    await page.click("#save-form button[type=submit]");
    await page.locator("#save-status .ok").waitFor();

    await page.goto(`${base}/workers/entity_extractor/eval`);
    await page.click("#eval-form button[type=submit]");
    await page.waitForURL(/\/eval\/runs\//);
    const first = page.locator("table.cases tr.case").first();
    expect(await first.getAttribute("data-case")).toBe("city");
    expect(await first.locator(".change").textContent()).toBe("newly failing");
    expect(await page.textContent(".pass-rate")).toContain("66.7%");
    await screenshot("eval-run");

    // The filter is in the URL: a link reproduces the view.
    await page.click(".filters >> text=regressions");
    await page.waitForURL(/filter=regressions/);
    expect(await page.locator("table.cases tr.case").count()).toBe(1);
    await page.reload();
    expect(await page.locator("table.cases tr.case").count()).toBe(1);

    await page.goto(`${base}/workers/entity_extractor/eval`);
    expect(await page.locator("table.history tbody tr").count()).toBe(2);
    expect(await page.locator("figure.trend svg polyline").count()).toBe(2);
    await screenshot("worker-eval");
  });

  it("made no request off localhost and logged no console error on any page", () => {
    expect(watch.offsiteRequests).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
