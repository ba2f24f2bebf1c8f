/** A small inline SVG of pass rate and p50 latency over the runs, oldest to newest. */
import type { EvalRun } from "../../eval/index.js";
import { type Html, html, raw } from "../html.js";

const WIDTH = 360;
const HEIGHT = 80;

export function trendChart(runs: readonly EvalRun[]): Html {
  if (runs.length < 2) return html``;
  const maxLatency = Math.max(1, ...runs.map((r) => r.summary.latency_p50_ms));
  const x = (i: number) => ((i / (runs.length - 1)) * (WIDTH - 10) + 5).toFixed(1);
  const line = (value: (r: EvalRun) => number) =>
    runs.map((r, i) => `${x(i)},${(HEIGHT - 5 - value(r) * (HEIGHT - 10)).toFixed(1)}`).join(" ");
  const pass = line((r) => r.summary.pass_rate);
  const latency = line((r) => r.summary.latency_p50_ms / maxLatency);
  return html`<figure class="trend"><svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="pass rate and latency trend">
${raw(`<polyline class="pass" fill="none" stroke="#2a7" stroke-width="2" points="${pass}"/>`)}
${raw(`<polyline class="latency" fill="none" stroke="#c73" stroke-width="1.5" stroke-dasharray="4 2" points="${latency}"/>`)}
</svg><figcaption><span class="pass-key">— pass rate</span> <span class="latency-key">- - p50 latency (max ${maxLatency} ms)</span></figcaption></figure>`;
}
