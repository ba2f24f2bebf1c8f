/** Pieces that make the HTTP gateway safe to leave running (issue 8). */

export {
  AUTH_TOKEN_ENV,
  type AuthTokenSources,
  assertBindAllowed,
  assertUsableToken,
  type BearerAuthOptions,
  bearerAuthGuard,
  bearerTokenMatcher,
  resolveAuthToken,
} from "./auth.js";
export { type CorsOptions, corsHandler, corsOriginHostnames } from "./cors.js";
export { HEALTH_PATH, healthHandler, READY_PATH, type ReadinessCheck } from "./health.js";
export {
  DEFAULT_DRAIN_MS,
  InFlight,
  onShutdownSignals,
  type ShutdownSignalOptions,
} from "./shutdown.js";
