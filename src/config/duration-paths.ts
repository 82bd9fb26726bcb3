/**
 * Where the config holds a duration (in ms once loaded): `*` is any key of a mapping, `[]` any
 * item of a list. `config export` writes these back as `30s`, without loading the schema to find
 * them; test/config/duration-paths.test.ts derives the same list from ConfigSchema.
 */
export const DURATION_PATHS: readonly string[] = [
  "server.session_ttl",
  "server.session_active_window",
  "server.read_timeout",
  "server.shutdown_timeout",
  "server.drain_delay",
  "meta_mcp.discovery_wait",
  "backends.*.timeout",
  "backends.*.idle_stop",
  "backends.*.tool_timeouts.*",
  "backends.*.circuit_breaker.reset_timeout",
  "webhooks.replay_window",
  "auth.ui_session_ttl",
  "auth.client_circuit_breaker.reset_timeout",
  "auth.lockout.window",
  "security.sandbox.max_duration",
  "search.embeddings.timeout",
  "failsafe.circuit_breaker.reset_timeout",
  "failsafe.retry.initial_backoff",
  "failsafe.retry.max_backoff",
  "failsafe.rate_limit.max_wait",
  "failsafe.concurrency.queue_timeout",
  "failsafe.health_check.interval",
  "failsafe.health_check.timeout",
  "failsafe.restart.initial_backoff",
  "failsafe.restart.max_backoff",
  "failsafe.restart.crash_window",
  "failsafe.error_budget.window",
  "failsafe.error_budget.cooldown",
  "code_mode.timeout",
  "cache.default_ttl",
  "cluster.peer_timeout",
];
