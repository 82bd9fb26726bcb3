import { formatDuration } from "../config/duration.ts";
import { GatewayError } from "../errors.ts";
import type { GatewayHookable } from "../hooks.ts";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";
import type { ResponseCache } from "../resilience/cache.ts";
import type { StateStore } from "../state/store.ts";
import type { Handle } from "./_handle.ts";
import { describeBackendError } from "./connection.ts";
import { exposeTools } from "./expose.ts";
import type { Supervisor } from "./supervisor.ts";
import type { BackendConnection } from "./types.ts";

/** A cached tool list older than this is refreshed at start by spawning the backend. */
const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface DiscoveryOptions {
  store: StateStore;
  hooks: GatewayHookable;
  supervisor: Supervisor;
  /** Starts a backend for a call (through its breaker; see `Calls.start`). */
  start(handle: Handle): Promise<void>;
  /** The read-only response cache, forgotten for a backend whose tools change. */
  cache?: ResponseCache;
}

/**
 * Learns what each backend serves. A cached list is a hint for the index at start, never an
 * authority: every new connection lists its tools live, and that list replaces the cache and
 * goes through the `tools:changed` hook (where the security layer compares it with gateway.lock
 * and runs the poisoning scanner) before the connection is handed to any caller.
 */
export class Discovery {
  constructor(private readonly options: DiscoveryOptions) {}

  /**
   * Serves a backend's cached list, if it still matches its config. Returns whether the
   * backend should be connected now (it has no fresh cache, or is not a stdio process).
   */
  warm(handle: Handle): boolean {
    const cached = this.options.store.getTools(handle.config.name);
    const fresh =
      cached?.fingerprint === handle.fingerprint &&
      Date.now() - cached.updatedAt < CACHE_MAX_AGE_MS;
    if (cached?.fingerprint === handle.fingerprint) {
      handle.cachedAt = cached.updatedAt;
      void this.setTools(handle, cached.tools, false);
    }
    return !(fresh && handle.config.transport === "stdio");
  }

  /**
   * The supervisor's `onOpened`: lists a new connection's tools live and waits until the
   * security layer has seen them. A backend that declares no tools serves none.
   */
  async adopt(handle: Handle, connection: BackendConnection): Promise<void> {
    // A `per_caller` connection lists what that caller's credential shows: the backend's list is
    // its discovery's (own headers and env), not whichever caller connected last.
    if (handle.callerValues !== undefined) return;
    const tools = connection.capabilities.tools ? await this.list(handle, connection) : [];
    await this.setTools(handle.parent ?? handle, tools, true);
  }

  /** Connects (if needed) and re-lists a backend's tools. */
  async refresh(handle: Handle): Promise<Tool[]> {
    const { supervisor } = this.options;
    const wasConnected = handle.connection !== undefined;
    try {
      const connection = await supervisor.connect(handle);
      // A new connection was just listed live (see `adopt`).
      if (!wasConnected) return handle.tools;
      const tools = await this.list(handle, connection);
      await this.setTools(handle, tools, true);
      return tools;
    } finally {
      supervisor.scheduleIdleStop(handle);
    }
  }

  /**
   * Coalesces a burst of `tools/list_changed` notifications into one re-list, on the connection
   * that announced it (a per-session one updates its backend's shared list). Until it is done,
   * `relisting` holds calls back. A connection closed meanwhile needs none: the next one is
   * listed when it opens.
   */
  refreshSoon(handle: Handle): void {
    const owner = handle.parent ?? handle;
    if (owner.relisting) return;
    owner.relisting = new Promise((done) => setTimeout(done, 50))
      .then(() => (handle.connection ? this.adopt(handle, handle.connection) : undefined))
      .catch(() => {})
      .finally(() => {
        owner.relisting = undefined;
      });
  }

  /**
   * Waits, at most `waitMs`, until a backend is connected and listed live (and any re-list
   * after `tools/list_changed` is done), starting it if it is not running; past the bound the
   * error names the backend still starting.
   */
  async ready(handle: Handle, waitMs: number): Promise<void> {
    if (handle.connection) return handle.relisting;
    const started = this.options.start(handle).finally(() => {
      this.options.supervisor.scheduleIdleStop(handle);
    });
    if (await withDeadline(started, waitMs)) {
      throw new GatewayError(
        "BACKEND_UNAVAILABLE",
        `[backend:${handle.config.name}] still starting after ${formatDuration(waitMs)} (meta_mcp.discovery_wait); try again in a moment`,
      );
    }
  }

  /**
   * Waits, at most `waitMs`, for those of `handles` that are starting (a first discovery or a
   * lazy start in flight); returns the names of those still starting after it. Searches and
   * lists ask this so that they neither miss tools nor serve a stale cached list silently.
   */
  async settle(handles: Handle[], waitMs: number): Promise<string[]> {
    const starting = () => handles.filter((handle) => handle.connecting !== undefined);
    // The bound counts from when each start began: a start that already had its `waitMs` (one
    // backend hung at start) is not waited for again by every later search of every session.
    const now = Date.now();
    const waits = starting().flatMap((handle) => {
      const left = (handle.connectingSince ?? now) + waitMs - now;
      return left > 0
        ? [
            withDeadline(
              handle.connecting!.catch(() => {}),
              left,
            ),
          ]
        : [];
    });
    if (waits.length) await Promise.all(waits);
    return starting().map((handle) => handle.config.name);
  }

  private async list(handle: Handle, connection: BackendConnection): Promise<Tool[]> {
    try {
      return exposeTools(handle.config, namedTools(handle, await connection.listTools()));
    } catch (error) {
      const failure = describeBackendError(handle.config.name, error);
      if (!this.options.supervisor.closing) {
        logger
          .withTag(`backend:${handle.config.name}`)
          .warn(`listing tools failed: ${failure.message}`);
      }
      throw failure;
    }
  }

  /**
   * Replaces a backend's tools and resolves once every `tools:changed` hook has run. A list
   * equal to the one served is persisted (its cache is fresh again) but not announced: nothing
   * changed, so the lock comparison and findings stand as they are.
   */
  private async setTools(handle: Handle, tools: Tool[], persist: boolean): Promise<void> {
    const same = handle.tools.length > 0 && JSON.stringify(handle.tools) === JSON.stringify(tools);
    handle.tools = tools;
    if (persist) {
      handle.cachedAt = undefined;
      this.options.store.setTools(handle.config.name, {
        fingerprint: handle.fingerprint,
        tools,
        updatedAt: Date.now(),
      });
    }
    if (same) return;
    // A tool that changed may answer differently now: forget what it answered before.
    this.options.cache?.clear(handle.config.name);
    await this.options.hooks.callHook("tools:changed", handle.config.name, tools);
  }
}

/** Waits for `work` or `ms`, whichever comes first; true when the time ran out first. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<true>((done) => {
    timer = setTimeout(() => done(true), ms);
  });
  const finished = work.then(() => false as const);
  // What finishes after the deadline is nobody's business any more (not an unhandled rejection).
  finished.catch(() => {});
  try {
    return await Promise.race([finished, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The longest tool name the spec allows (2025-11-25: 1 to 128 characters). */
const MAX_TOOL_NAME = 128;

/**
 * A backend's tools without those whose name is empty or past `MAX_TOOL_NAME` characters, each
 * dropped with a warning: a name of 180 KB went into every metrics label, log line and search
 * index entry, and every scope check read it.
 */
function namedTools(handle: Handle, tools: Tool[]): Tool[] {
  const named = (tool: Tool) =>
    typeof tool.name === "string" && tool.name.length > 0 && tool.name.length <= MAX_TOOL_NAME;
  const kept = tools.filter(named);
  if (kept.length < tools.length) {
    const dropped = tools.filter((tool) => !named(tool));
    const shown = dropped
      .slice(0, 3)
      .map((tool) => JSON.stringify(String(tool.name ?? "").slice(0, 40)))
      .join(", ");
    logger
      .withTag(`backend:${handle.config.name}`)
      .warn(
        `${dropped.length} tool(s) left out: a tool's name must be 1 to ${MAX_TOOL_NAME} characters (${shown}${dropped.length > 3 ? ", ..." : ""}); ask the server's maker to shorten them`,
      );
  }
  return kept;
}
