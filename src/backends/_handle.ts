import { createHash } from "node:crypto";
import type { ResolvedBackend } from "../config/load.ts";
import type { Tool } from "../mcp/sdk.ts";
import type { BackendPolicy } from "../resilience/policy.ts";
import type {
  ActiveTransport,
  BackendConnection,
  BackendState,
  CallerChannel,
  InternalDriver,
  JsonObject,
} from "./types.ts";

/**
 * Receives a backend's notifications (for `/mcp/{backend}` sessions); `from` is the `session` of
 * the handle it came on, when that is one session's or caller's own connection; `to` the one
 * client session it is for, when it is for one only (`notifications/elicitation/complete`).
 */
export type BackendListener = (
  method: string,
  params: JsonObject | undefined,
  from?: string,
  to?: string,
) => void;

/** One backend's state in the pool: its config, process or connection, tools and calls. */
export interface Handle {
  config: ResolvedBackend;
  state: BackendState;
  tools: Tool[];
  /**
   * When the tools served were listed, while they come from the state folder's cache (a lazy
   * stdio backend not started since this process began); unset once they are listed live.
   */
  cachedAt?: number;
  fingerprint: string;
  error?: string;
  transport?: ActiveTransport;
  connection?: BackendConnection;
  /** The `instructions` of its last initialize, kept while it is stopped (idle, crashed). */
  instructions?: string;
  connecting?: Promise<BackendConnection>;
  /** When the start in `connecting` began (searches and lists wait for it within a bound from then). */
  connectingSince?: number;
  /** Ends the start in `connecting` (its process too); set while it runs. */
  stopStart?: () => void;
  /** Calls in flight, by the channel of the session that made each. */
  inflight: Map<CallerChannel, number>;
  /** Requests running on this handle (with or without a session), and who waits for none. */
  running: number;
  onDrained?: () => void;
  /** Set once a reload removed or replaced the backend: it finishes its calls, never reconnects. */
  retired?: boolean;
  stderr: string[];
  idleTimer?: ReturnType<typeof setTimeout>;
  /**
   * A re-list after `tools/list_changed`, while it runs (on the shared handle): calls wait for
   * it, since the definitions they would reach are no longer the checked ones.
   */
  relisting?: Promise<void>;
  driver?: InternalDriver;
  listeners: Set<BackendListener>;
  policy?: BackendPolicy;
  /**
   * Which connection this is, unique in the gateway's life (one count over every handle): what a
   * task made on an earlier connection tells itself apart by.
   */
  generation?: number;
  /** When the process died unexpectedly, recently (for restart backoff and the crash loop). */
  crashes: number[];
  /**
   * URL elicitations (SEP-1036) this backend asked for, by id: the client session asked, which
   * alone hears `notifications/elicitation/complete` for it, whenever the flow ends.
   */
  elicitations: Map<string, string>;
  /**
   * On a session's or caller's own handle: the resource URIs its client subscribed to, made
   * again on each new connection (a shared handle's are the gateway's, src/gateway/subscriptions.ts).
   */
  subscribed?: Set<string>;
  /** With `isolation: session`: the per-session connections, by client session id. */
  isolated: Map<string, Handle>;
  /** Set on a per-session handle: the session it belongs to. */
  session?: string;
  /** Set on a per-session handle: the backend's shared handle, which owns its tool list. */
  parent?: Handle;
  /** Set on a per-caller handle: the caller's filled-in values it was opened with. */
  callerValues?: string;
}

/** Resolves once no request runs on `handle`, or after its backend's `timeout`, whichever is first. */
export function drained(handle: Handle): Promise<void> {
  return new Promise((done) => {
    if (handle.running === 0) return done();
    const timer = setTimeout(done, handle.config.timeout);
    handle.onDrained = () => {
      clearTimeout(timer);
      done();
    };
  });
}

export function createHandle(config: ResolvedBackend, driver?: InternalDriver): Handle {
  return {
    config,
    driver,
    state: config.configError ? "failed" : "idle",
    error: config.configError,
    tools: [],
    fingerprint: backendFingerprint(config),
    inflight: new Map(),
    running: 0,
    stderr: [],
    listeners: new Set(),
    isolated: new Map(),
    elicitations: new Map(),
    crashes: [],
  };
}

/** The config of a backend served inside the gateway (the capabilities executor). */
export function internalConfig(driver: InternalDriver): ResolvedBackend {
  return {
    name: driver.name,
    description: driver.description,
    enabled: true,
    transport: "internal",
    args: [],
    env: {},
    headers: {},
    inherit_env: false,
    timeout: driver.timeout ?? 60_000,
    isolation: "shared",
    tool_timeouts: {},
    tools: {},
  };
}

/** Changes to what defines a backend (command, args, url, env) invalidate its cached tools. */
export function backendFingerprint(config: ResolvedBackend): string {
  const { command, args, url, env, cwd, headers, transport } = config;
  // The exposed names (namespace, rename, hide) are in the cached list: a change makes it stale.
  const names = Object.entries(config.tools ?? {}).map(([tool, { rename, hide }]) => [
    tool,
    rename,
    hide,
  ]);
  const exposure = config.namespace || names.length ? { exposure: [config.namespace, names] } : {};
  return createHash("sha256")
    .update(
      JSON.stringify({
        command,
        args,
        url,
        env,
        cwd,
        headers: Object.keys(headers),
        transport,
        ...exposure,
      }),
    )
    .digest("hex")
    .slice(0, 16);
}
