/**
 * Retries of transient provider failures, the same for every backend: the SDKs' own retries are
 * disabled so the count and the backoff are Loom's. Foreign errors (SDK `APIError`, Ollama
 * `ResponseError`, fetch's `TypeError: fetch failed`) are translated here, once, into `LoomError`.
 */
import { errorMessage, LoomError } from "../errors.js";
import { type BackendKind, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./backend.js";

/** What a failed provider call looked like. */
export interface FailureInfo {
  /** HTTP status, when the server answered. */
  status?: number;
  /** Nothing listens at the URL (ECONNREFUSED, unknown host). */
  unreachable: boolean;
  /** Worth another attempt: network errors, 408, 409, 429, 5xx. */
  transient: boolean;
  /** The server's retry-after, when it sent one. */
  retryAfterMs?: number;
  message: string;
}

/** Where a call went, for error messages. */
export interface RetryTarget {
  kind: BackendKind;
  url: string;
}

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  onRetry?: (note: string) => void;
}

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Runs `call`, retrying transient failures with exponential backoff and jitter until the policy's
 * attempts run out or `signal` fires. Each attempt gets its own signal, following `signal`, to
 * hand to the client: the SDKs never remove the listener they add to it, and on the caller's
 * signal ten tool rounds would pile up listeners until Node warns of a leak.
 * Throws the abort reason when aborted, else an `llm_error` naming the backend, URL and status
 * (`details.reason` is `unreachable` when nothing listens).
 */
export async function withRetries<T>(
  target: RetryTarget,
  call: (signal: AbortSignal | undefined) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withChildSignal(signal, call);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      const info = describeFailure(error);
      const limit = info.unreachable ? policy.maxRefusedAttempts : policy.maxAttempts;
      if (!info.transient || attempt >= limit) throw toLlmError(target, info, attempt, error);
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.min(policy.maxDelayMs, info.retryAfterMs ?? backoff * (0.75 + Math.random() / 2));
      options.onRetry?.(
        `${target.kind} at ${target.url}: ${info.status ? `HTTP ${info.status}` : info.message}; ` +
          `retry ${attempt}/${limit - 1} in ${Math.round(delayMs)} ms`,
      );
      await sleep(delayMs, signal);
    }
  }
}

/** Runs `call` with a signal that aborts when `parent` does, and unhooks it from `parent` after. */
async function withChildSignal<T>(
  parent: AbortSignal | undefined,
  call: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!parent) return call(undefined);
  const child = new AbortController();
  const onAbort = (): void => child.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  try {
    return await call(child.signal);
  } finally {
    parent.removeEventListener("abort", onAbort);
  }
}

/** Classifies anything a provider client threw. */
export function describeFailure(error: unknown): FailureInfo {
  const status = statusOf(error);
  const message = providerMessage(error);
  if (status !== undefined) {
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return { status, unreachable: false, transient, retryAfterMs: retryAfterOf(error), message };
  }
  const code = networkCode(error);
  if (code && UNREACHABLE_CODES.has(code)) {
    return { unreachable: true, transient: true, message: `${message} (${code})` };
  }
  const network = (code !== undefined && NETWORK_CODES.has(code)) || isConnectionError(error);
  return { unreachable: false, transient: network, message: code ? `${message} (${code})` : message };
}

function toLlmError(target: RetryTarget, info: FailureInfo, attempts: number, cause: unknown): LoomError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  const what = info.unreachable
    ? "is not reachable (connection refused)"
    : info.status !== undefined
      ? `answered HTTP ${info.status}: ${info.message}`
      : `failed: ${info.message}`;
  return new LoomError("llm_error", `${target.kind} backend at ${target.url} ${what}${tries}`, {
    category: "upstream",
    details: {
      backend: target.kind,
      url: target.url,
      ...(info.status !== undefined ? { status: info.status } : {}),
      ...(info.unreachable ? { reason: "unreachable" } : {}),
      attempts,
    },
    cause,
  });
}

/** The abort reason as an Error (AbortSignal.timeout gives a TimeoutError DOMException). */
export function abortReason(signal: AbortSignal): Error {
  return abortError(signal.reason);
}

/** An abort reason as an Error to throw: itself when it is one, else an AbortError. */
export function abortError(reason: unknown): Error {
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}

/** Resolves after `ms`, or rejects with the abort reason when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = field(error, "status") ?? field(error, "status_code");
  return typeof status === "number" && status >= 100 ? status : undefined;
}

/** The provider's own words: OpenAI/Anthropic `error.message`, Ollama `error`, else the Error's. */
function providerMessage(error: unknown): string {
  const body = field(error, "error");
  const nested = field(body, "error");
  for (const candidate of [field(nested, "message"), field(body, "message"), body]) {
    if (typeof candidate === "string" && candidate) return candidate;
  }
  return errorMessage(error);
}

function retryAfterOf(error: unknown): number | undefined {
  const headers = field(error, "headers");
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const value = field(headers, name);
    return typeof value === "string" ? value : undefined;
  };
  const ms = Number(get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && get("retry-after-ms") !== undefined) return ms;
  const seconds = get("retry-after");
  if (seconds === undefined) return undefined;
  const asNumber = Number(seconds);
  if (Number.isFinite(asNumber)) return Math.max(0, asNumber * 1000);
  const date = Date.parse(seconds);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The first `code` found along the cause chain (fetch wraps the socket error in `cause`). */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const code = field(error, "code");
  if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code;
  const errors = field(error, "errors");
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = networkCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return networkCode(field(error, "cause"), depth + 1);
}

function isConnectionError(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  return name === "APIConnectionError" || (error instanceof TypeError && error.message === "fetch failed");
}
