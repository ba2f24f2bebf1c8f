// Builds the Workshop's browser assets into dist/workshop/assets: the CodeMirror editor bundled by
// esbuild, htmx, and the Workshop's own script and styles — so every asset ships in the package
// and the Workshop works offline, behind firewalls, without a CDN.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const client = path.join(root, "src", "workshop", "client");
const out = path.join(root, "dist", "workshop", "assets");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(client, "editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: path.join(out, "editor.js"),
  logLevel: "warning",
});
const require = createRequire(import.meta.url);
copyFileSync(require.resolve("htmx.org/dist/htmx.min.js"), path.join(out, "htmx.min.js"));
for (const file of ["workshop.js", "workshop.css"]) copyFileSync(path.join(client, file), path.join(out, file));
