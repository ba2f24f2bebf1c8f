/**
 * Debian's Chromium driven by playwright-core, with the flags this machine's closed network needs
 * (no background connections to Google's hosts). Playwright's own browser download is not used.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.LOOM_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set LOOM_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Where the Workshop tests keep their screenshots. */
export const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts", "workshop");

/** What a page did that a test should see empty: requests off `base`, and every error. */
export interface PageWatch {
  offsiteRequests: string[];
  /** Console errors, uncaught page errors and HTTP error answers. */
  errors: string[];
}

/** Starts recording what `page` does wrong; the lists fill as the test goes. */
export async function watchPage(page: Page, base: string): Promise<PageWatch> {
  await mkdir(ARTIFACTS, { recursive: true });
  const watch: PageWatch = { offsiteRequests: [], errors: [] };
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${base}/`) && !url.startsWith("data:")) watch.offsiteRequests.push(url);
  });
  page.on("console", (message) => {
    if (message.type() === "error") watch.errors.push(message.text());
  });
  page.on("pageerror", (error) => watch.errors.push(error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) watch.errors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return watch;
}
