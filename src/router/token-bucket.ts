/**
 * The token bucket behind `rate_limits.<tier>.tokens_per_minute` (guide Part 7): it holds at most
 * one minute's tokens and refills continuously at `tokens_per_minute / 60 000` per millisecond.
 * Pure arithmetic over a plain state object, so any store (this process's memory, or a shared
 * store used by several router processes) can keep the state.
 */

/** A bucket's stored state: tokens held (may be negative after a correction) at a point in time. */
export interface BucketState {
  tokens: number;
  updatedMs: number;
}

/** The outcome of a charge: taken, or refused with the time until enough tokens are back. */
export type ChargeResult = { ok: true } | { ok: false; retryAfterMs: number; available: number };

/** A full bucket for `perMinute` tokens at time `nowMs`. */
export function fullBucket(perMinute: number, nowMs: number): BucketState {
  return { tokens: perMinute, updatedMs: nowMs };
}

/** The state refilled up to `nowMs` (never above one minute's tokens). */
export function refill(state: BucketState, perMinute: number, nowMs: number): BucketState {
  const elapsed = Math.max(0, nowMs - state.updatedMs);
  return { tokens: Math.min(perMinute, state.tokens + (elapsed * perMinute) / 60_000), updatedMs: nowMs };
}

/**
 * Charges `tokens` (capped at one minute's worth, so a large task can still run on a full bucket).
 * Mutates `state` when the charge is taken.
 */
export function charge(state: BucketState, tokens: number, perMinute: number, nowMs: number): ChargeResult {
  const current = refill(state, perMinute, nowMs);
  const needed = Math.min(tokens, perMinute);
  if (current.tokens >= needed) {
    state.tokens = current.tokens - needed;
    state.updatedMs = nowMs;
    return { ok: true };
  }
  state.tokens = current.tokens;
  state.updatedMs = nowMs;
  const retryAfterMs = Math.ceil(((needed - current.tokens) * 60_000) / perMinute);
  return { ok: false, retryAfterMs: Math.max(1, retryAfterMs), available: Math.floor(current.tokens) };
}

/** Corrects an earlier charge by `delta` tokens (> 0 takes more, < 0 gives back). Mutates `state`. */
export function adjust(state: BucketState, delta: number, perMinute: number, nowMs: number): void {
  const current = refill(state, perMinute, nowMs);
  state.tokens = Math.min(perMinute, current.tokens - delta);
  state.updatedMs = nowMs;
}
