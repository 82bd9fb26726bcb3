import type { BackendPool } from "../backends/pool.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import type { GatewayHookable, GatewayHooks } from "../hooks.ts";
import { redactText } from "../security/redact.ts";
import type { StateStore } from "../state/store.ts";
import { VERSION } from "../version.ts";
import { type Labels, MetricsRegistry } from "./metrics.ts";
import { type ToolUsage, UsageStats } from "./usage.ts";

/** One finished call, as the dashboard's "recent calls" shows it. */
export interface RecentCall {
  at: number;
  server: string;
  tool: string;
  caller: string;
  durationMs: number;
  /** `ok`; `error`: the tool answered with `isError`; `failed`: the call threw. */
  status: "ok" | "error" | "failed";
  /** The error code (`BACKEND_TIMEOUT`, `TOOL_ERROR`, ...) when not ok. */
  code?: string;
  error?: string;
}

export interface ObserverOptions {
  hooks: GatewayHookable;
  pool: Pick<BackendPool, "statuses" | "breakerState">;
  store: StateStore;
  /** How many finished calls `recent()` keeps (default 200). */
  recentLimit?: number;
  /** How often usage counts are written to the store (default 2s). */
  flushMs?: number;
}

/** Metrics, recent calls and usage stats, fed by the gateway's hooks only. */
export interface Observer {
  /** `/metrics` in the Prometheus text format; with `keep`, only the series whose labels it keeps. */
  metrics(keep?: (labels: Labels) => boolean): string;
  /** Finished calls, newest first. */
  recent(): RecentCall[];
  usage(allow?: (server: string, tool: string) => boolean): ToolUsage[];
  /** Successful calls of `server:tool` by `caller` (they rank the tool higher for that caller). */
  successes(caller: string, server: string, tool: string): number;
  /** Open client sessions. */
  sessions(): number;
  /** Unsubscribes and writes the usage counts still pending. */
  close(): void;
}

type CallAfter = Parameters<GatewayHooks["tool:call:after"]>[0];

const BREAKER_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;
const ERROR_TEXT_MAX = 300;

export function createObserver(options: ObserverOptions): Observer {
  const { hooks, pool } = options;
  const limit = options.recentLimit ?? 200;
  const registry = new MetricsRegistry();
  const usage = new UsageStats(options.store, options.flushMs);
  const recent: RecentCall[] = [];
  const startedAt = Date.now();

  const calls = registry.counter("mcp_gateway_tool_calls_total", "Tool calls, by backend and tool");
  const errors = registry.counter(
    "mcp_gateway_tool_errors_total",
    "Tool calls that failed (code: the gateway error code) or returned isError (code TOOL_ERROR)",
  );
  const latency = registry.histogram(
    "mcp_gateway_tool_call_duration_seconds",
    "Tool call latency in seconds, by backend and tool",
  );
  const inFlight = registry.gauge("mcp_gateway_tool_calls_in_flight", "Tool calls running now");
  const state = registry.gauge(
    "mcp_gateway_backend_state",
    "1 for the state each backend is in (idle, starting, ready, failed, open)",
  );
  const tools = registry.gauge("mcp_gateway_backend_tools", "Tools each backend lists");
  const breaker = registry.gauge(
    "mcp_gateway_circuit_breaker_state",
    "Circuit breaker per backend: 0 closed, 1 half-open, 2 open",
  );
  const starts = registry.counter(
    "mcp_gateway_backend_starts_total",
    "Connections opened to each backend (process spawns for stdio backends)",
  );
  const restarts = registry.counter(
    "mcp_gateway_backend_restarts_total",
    "Starts of a backend after its first: after a crash, a hang, an idle stop or a reload",
  );
  const refusals = registry.counter(
    "mcp_gateway_tool_refusals_total",
    "Tool calls refused before they were sent (unknown tool, scopes, arguments, budget...), by backend and code",
  );
  const firewall = registry.counter(
    "mcp_gateway_firewall_events_total",
    "Calls the firewall, session sandbox or confirmation refused (blocked) or warned about, by rule",
  );
  const sessions = registry.gauge("mcp_gateway_sessions", "Open client sessions");
  const opened = registry.counter("mcp_gateway_sessions_opened_total", "Client sessions opened");
  const reloads = registry.counter("mcp_gateway_config_reloads_total", "Config reloads applied");
  // The original gateway's series, under its names and labels, so its users' dashboards and
  // alerts keep reading (docs/migrating.md).
  const invocations = registry.counter(
    "mcp_tool_invocations_total",
    "Tool calls by backend and status ok|error (the original gateway's series)",
  );
  const invocationLatency = registry.histogram(
    "mcp_tool_invocation_duration_seconds",
    "Tool call latency by backend (the original gateway's series)",
  );
  const circuit = registry.gauge(
    "mcp_backend_circuit_state",
    "1 while the backend's breaker lets calls through, 0 while it is open (the original gateway's series)",
  );
  const uptime = registry.gauge("mcp_gateway_uptime_seconds", "Seconds since the gateway started");
  const info = registry.gauge("mcp_gateway_build_info", "The running version (value 1)");

  let open = 0;
  const running = new Map<string, number>();
  const started = new Set<string>();
  registry.onCollect(() => {
    state.reset();
    tools.reset();
    breaker.reset();
    circuit.reset();
    for (const status of pool.statuses()) {
      state.set({ server: status.name, state: status.state }, 1);
      tools.set({ server: status.name }, status.tools);
      const breakerState = pool.breakerState(status.name);
      breaker.set({ server: status.name }, BREAKER_VALUE[breakerState]);
      circuit.set({ backend: status.name }, breakerState === "open" ? 0 : 1);
    }
    inFlight.reset();
    for (const [server, count] of running) inFlight.set({ server }, count);
    sessions.set({}, open);
    uptime.set({}, Math.round((Date.now() - startedAt) / 1000));
    info.set({ version: VERSION }, 1);
  });

  const onAfter = (call: CallAfter): void => {
    const labels = { server: call.server, tool: call.tool };
    running.set(call.server, Math.max(0, (running.get(call.server) ?? 1) - 1));
    calls.inc(labels);
    latency.observe(labels, call.durationMs / 1000);
    const outcome = outcomeOf(call);
    if (outcome.code) errors.inc({ ...labels, code: outcome.code });
    // The original counts a call that reached the backend as ok, a result with isError too.
    invocations.inc({ server: call.server, status: outcome.status === "failed" ? "error" : "ok" });
    invocationLatency.observe({ server: call.server }, call.durationMs / 1000);
    const entry: RecentCall = {
      at: Date.now(),
      server: call.server,
      tool: call.tool,
      caller: call.caller,
      durationMs: Math.round(call.durationMs * 10) / 10,
      ...outcome,
    };
    recent.unshift(entry);
    if (recent.length > limit) recent.length = limit;
    usage.record({
      server: call.server,
      tool: call.tool,
      caller: call.caller,
      calls: 1,
      errors: outcome.status === "ok" ? 0 : 1,
      totalMs: call.durationMs,
      lastAt: entry.at,
      ...(outcome.error ? { lastError: outcome.error } : {}),
    });
  };

  const unhooks = [
    hooks.hook("tool:call:before", (call) => {
      running.set(call.server, (running.get(call.server) ?? 0) + 1);
    }),
    hooks.hook("tool:call:after", onAfter),
    hooks.hook("tool:call:refused", (call) => {
      // A server the caller made up is one series, not one each.
      const known = pool.statuses().some((status) => status.name === call.server);
      const server = known ? call.server : "(unknown)";
      const code = call.error instanceof GatewayError ? call.error.code : "REFUSED";
      refusals.inc({ server, code });
    }),
    hooks.hook("backend:state", (server, next) => {
      if (next !== "starting") return;
      starts.inc({ server });
      if (started.has(server)) restarts.inc({ server });
      started.add(server);
    }),
    hooks.hook("session:open", () => {
      open++;
      opened.inc();
    }),
    hooks.hook("session:close", () => {
      open = Math.max(0, open - 1);
    }),
    hooks.hook("config:reload", () => reloads.inc()),
    hooks.hook("firewall:event", (event) => firewall.inc(event)),
  ];

  return {
    metrics: (keep) => registry.render(keep),
    recent: () => [...recent],
    usage: (allow) => usage.byTool(allow),
    successes: (caller, server, tool) => usage.successes(caller, server, tool),
    sessions: () => open,
    close() {
      for (const unhook of unhooks) unhook();
      usage.close();
    },
  };
}

/** What a finished call came to: ok, a tool error (`isError`), or a failure with its code. */
export function outcomeOf(call: CallAfter): Pick<RecentCall, "status" | "code" | "error"> {
  if (call.error !== undefined) {
    const code = call.error instanceof GatewayError ? call.error.code : "BACKEND_ERROR";
    return { status: "failed", code, error: clip(errorMessage(call.error)) };
  }
  if (call.result?.isError) {
    const text = call.result.content?.find((block) => block.type === "text");
    const message = text && "text" in text ? text.text : "the tool returned isError";
    return { status: "error", code: "TOOL_ERROR", error: clip(message) };
  }
  return { status: "ok" };
}

function clip(text: string): string {
  const clean = redactText(text.replace(/\s+/g, " ").trim());
  return clean.length > ERROR_TEXT_MAX ? `${clean.slice(0, ERROR_TEXT_MAX - 1)}…` : clean;
}
