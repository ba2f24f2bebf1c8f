/** One pre-flight check's outcome: what was checked, whether it holds, and how to fix it if not. */
export interface CheckResult {
  /** Short name: "config", "LLM tier local", "NATS". */
  name: string;
  ok: boolean;
  /** What was found ("Ollama at http://localhost:11434 has llama3.2:3b"). */
  detail: string;
  /** What to do when it failed ("ollama pull llama3.2:3b"). */
  fix?: string;
  /** A failed warning does not stop the command. */
  severity?: "error" | "warning";
}

/** `✓ name: detail` or `✗ name: detail — fix: …` (`!` for a failed warning). */
export function formatCheck(check: CheckResult): string {
  const mark = check.ok ? "✓" : check.severity === "warning" ? "!" : "✗";
  return `${mark} ${check.name}: ${check.detail}${!check.ok && check.fix ? ` — fix: ${check.fix}` : ""}`;
}

/** True when no check failed as an error. */
export function passed(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => c.ok || c.severity === "warning");
}
