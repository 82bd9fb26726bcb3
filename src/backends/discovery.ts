import type { GatewayHookable } from "../hooks.ts";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";
import type { ResponseCache } from "../resilience/cache.ts";
import type { StateStore } from "../state/store.ts";
import type { Handle } from "./_handle.ts";
import { describeBackendError } from "./connection.ts";
import type { Supervisor } from "./supervisor.ts";

/** A cached tool list older than this is refreshed at start by spawning the backend. */
const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface DiscoveryOptions {
  store: StateStore;
  hooks: GatewayHookable;
  supervisor: Supervisor;
  /** The read-only response cache, forgotten for a backend whose tools change. */
  cache?: ResponseCache;
}

/**
 * Learns what each backend serves: the cached list at start, the live `tools/list` on refresh
 * and on `tools/list_changed`; every new list goes out on the `tools:changed` hook.
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
    if (cached?.fingerprint === handle.fingerprint) this.setTools(handle, cached.tools, false);
    return !(fresh && handle.config.transport === "stdio");
  }

  /** Connects (if needed) and re-lists a backend's tools. */
  async refresh(handle: Handle): Promise<Tool[]> {
    const { supervisor } = this.options;
    const name = handle.config.name;
    const connection = await supervisor.connect(handle);
    try {
      const tools = await connection.listTools();
      this.setTools(handle, tools, true);
      return tools;
    } catch (error) {
      const failure = describeBackendError(name, error);
      if (!supervisor.closing)
        logger.withTag(`backend:${name}`).warn(`listing tools failed: ${failure.message}`);
      throw failure;
    } finally {
      supervisor.scheduleIdleStop(handle);
    }
  }

  /**
   * Coalesces a burst of `tools/list_changed` notifications into one re-list (of the shared
   * handle, which owns the backend's tool list, when a per-session connection announced it).
   */
  refreshSoon(handle: Handle): void {
    if (handle.refreshTimer) return;
    handle.refreshTimer = setTimeout(() => {
      handle.refreshTimer = undefined;
      this.refresh(handle.parent ?? handle).catch(() => {});
    }, 50);
  }

  private setTools(handle: Handle, tools: Tool[], persist: boolean): void {
    handle.tools = tools;
    // A tool that changed may answer differently now: forget what it answered before.
    this.options.cache?.clear(handle.config.name);
    if (persist) {
      this.options.store.setTools(handle.config.name, {
        fingerprint: handle.fingerprint,
        tools,
        updatedAt: Date.now(),
      });
    }
    void this.options.hooks.callHook("tools:changed", handle.config.name, tools);
  }
}
