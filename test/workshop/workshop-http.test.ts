/**
 * The Workshop's guards and failure answers over plain HTTP: CSRF, Host checks, the token beyond
 * loopback, path tricks, malformed and huge input — each a clear message, never a stack trace,
 * and the server keeps serving.
 */
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkshop, type WorkshopHandle } from "../../src/workshop/index.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { entityResponder, type WorkshopProject, writeWorkshopProject } from "../fixtures/workshop-project.js";

describe("Workshop HTTP guards", () => {
  let llm: FakeLlm;
  let project: WorkshopProject;
  let workshop: WorkshopHandle;
  let base: string;
  let csrf: string;

  beforeAll(async () => {
    llm = await startFakeLlm();
    llm.setResponder(entityResponder);
    project = await writeWorkshopProject(llm.url);
    workshop = await startWorkshop({ configsDir: project.configsDir, port: 0, log: () => {} });
    base = `http://127.0.0.1:${workshop.port}`;
    const page = await (await fetch(`${base}/workers`)).text();
    csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? "";
    expect(csrf).not.toBe("");
  });

  afterAll(async () => {
    await workshop?.close();
    await llm?.close();
  });

  const post = (url: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${url}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(body),
    });

  it("refuses a state-changing request without the page's CSRF token, and writes nothing", async () => {
    const before = await readFile(project.workerFile, "utf8");
    const response = await post("/workers/entity_extractor/save", { text: "name: hacked\n" });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("CSRF");
    const wrong = await post("/workers/entity_extractor/save", { text: "name: hacked\n", _csrf: "nope" });
    expect(wrong.status).toBe(403);
    expect(await readFile(project.workerFile, "utf8")).toBe(before);
  });

  it("refuses a foreign Host or Origin (DNS rebinding, cross-site forms)", async () => {
    // fetch() may not set Host: a raw request does, as a rebinding page's would arrive.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/workers`, { headers: { host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once("error", reject);
      req.end();
    });
    expect(rebound).toBe(403);
    const crossSite = await post(
      "/workers/entity_extractor/validate",
      { text: "x", _csrf: csrf },
      { origin: "http://evil.example" },
    );
    expect(crossSite.status).toBe(403);
  });

  it("never maps a URL to a file outside the configs folder", async () => {
    for (const name of ["..%2F..%2F..%2Fetc%2Fpasswd", "..", "%2Fetc%2Fpasswd"]) {
      const response = await fetch(`${base}/workers/${name}/edit`);
      expect(response.status).toBe(404);
      const text = await response.text();
      expect(text).not.toContain("root:");
    }
    const unknown = await fetch(`${base}/workers/entity_extractr/edit`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("did you mean &#39;entity_extractor&#39;");
  });

  it("answers malformed and huge input with a clear message, no stack trace, and keeps serving", async () => {
    const badJson = await post(
      "/workers/entity_extractor/test",
      { payload: "{not json", a_source: "saved", a_tier: "local", _csrf: csrf },
      { "hx-request": "true" },
    );
    expect(badJson.status).toBe(400);
    const text = await badJson.text();
    expect(text).toContain("The payload is not valid JSON");
    expect(text).not.toMatch(/at .*\.ts:\d+/);

    const badTier = await post(
      "/workers/entity_extractor/test",
      { payload: "{}", a_source: "saved", a_tier: "huge", _csrf: csrf },
      { "hx-request": "true" },
    );
    expect(badTier.status).toBe(400);
    expect(await badTier.text()).toContain("&#39;huge&#39; is not a tier");

    const huge = await post("/workers/entity_extractor/validate", {
      text: "x".repeat(2 * 1024 * 1024),
      _csrf: csrf,
    });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain("larger than 1mb");

    const badSuite = await post(
      "/workers/entity_extractor/eval/suite",
      { suite: "worker: [unclosed", _csrf: csrf },
      { "hx-request": "true" },
    );
    expect(badSuite.status).toBe(400);

    expect((await fetch(`${base}/workers`)).status).toBe(200);
  });

  it("refuses to save an invalid config unless forced, and a save that renames the worker", async () => {
    const before = await readFile(project.workerFile, "utf8");
    const invalid = before.replace('default_model_tier: "local"', 'default_model_tier: "huge"');
    const refused = await (
      await post("/workers/entity_extractor/save", { text: invalid, _csrf: csrf })
    ).text();
    expect(refused).toContain("Not saved: 1 error(s)");
    expect(await readFile(project.workerFile, "utf8")).toBe(before);
    const renamed = before.replace('name: "entity_extractor"', 'name: "other"');
    expect(
      await (await post("/workers/entity_extractor/save", { text: renamed, _csrf: csrf })).text(),
    ).toContain("keeps its name");
    const forced = await (
      await post("/workers/entity_extractor/save", { text: invalid, force: "1", _csrf: csrf })
    ).text();
    expect(forced).toContain("Saved with 1 error(s)");
    expect(await readFile(project.workerFile, "utf8")).toBe(invalid);
  });
});

describe("a Workshop bound beyond loopback", () => {
  it("requires its token on every request and prints it in the URL", async () => {
    const llm = await startFakeLlm();
    const project = await writeWorkshopProject(llm.url);
    const workshop = await startWorkshop({
      configsDir: project.configsDir,
      port: 0,
      host: "0.0.0.0",
      log: () => {},
    });
    try {
      const token = new URL(workshop.url).searchParams.get("token") ?? "";
      expect(token.length).toBeGreaterThan(20);
      const base = `http://127.0.0.1:${workshop.port}`;
      expect((await fetch(`${base}/workers`)).status).toBe(401);
      expect((await fetch(`${base}/workers`, { headers: { authorization: "Bearer wrong" } })).status).toBe(
        401,
      );
      const opened = await fetch(`${base}/workers?token=${token}`);
      expect(opened.status).toBe(200);
      const cookie = opened.headers.get("set-cookie")?.split(";")[0] ?? "";
      expect((await fetch(`${base}/workers`, { headers: { cookie } })).status).toBe(200);
    } finally {
      await workshop.close();
      await llm.close();
    }
  });
});
